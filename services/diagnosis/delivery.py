"""The delivery check of a master review: file-format and edge defects, and the ready / not-ready verdict.

Why a separate verdict: whether a file can be sent to a distributor depends only on defects a distributor or a
listener's player would trip over (overs, lossy or resampled sources, a format below the spec, mono or dual-mono
content in a stereo file, DC offset, clicks or digital silence at the ends, polarity). Taste (tonal balance, width,
loudness within what platforms accept) is advice and never blocks. The delivery spec is 44.1 kHz / 16-bit or
better, at most ``_HEAD_SILENCE_S`` of digital silence before the first sound and ``_TAIL_SILENCE_S`` after the last,
and no true peak above 0 dBTP after AAC 256 kbit/s or Opus 160 kbit/s encoding (measured in the analysis, on the
hottest excerpts, with FFmpeg's encoders through PyAV; see ``analysis.encoded``).
"""

from __future__ import annotations

from services.diagnosis.context import Context, measure
from services.diagnosis.finding import SEVERITY_RANK, Blocker, Finding, Measure, Severity, Verdict, fmt
from services.genres import Range

MIN_SAMPLE_RATE_HZ = 44100
MIN_BIT_DEPTH = 16
_HEAD_SILENCE_S = 2.0
_TAIL_SILENCE_S = 5.0
_ENCODED_CEILING_DBTP = 0.0  # decoded to fixed point, anything above clips
_CLICK_DBFS = -40.0  # a first or last sample this loud: the file starts or stops mid-waveform

# Finding id (or prefix) -> (least severity that blocks, reason in words).
DELIVERY_DEFECTS: dict[str, tuple[Severity, str]] = {
    "clipping.clipped_samples": (Severity.MINOR, "digital clipping"),
    "clipping.true_peak_over": (Severity.MAJOR, "true-peak overs above 0 dBTP"),
    "clipping.encoded_true_peak_over": (Severity.MINOR, "overs after AAC/Opus encoding"),
    "qc.lossy_source": (Severity.MINOR, "made from a lossy (MP3/AAC) source"),
    "qc.resampled": (Severity.MINOR, "upsampled or band-limited source"),
    "qc.low_sample_rate": (Severity.MINOR, "sample rate below the delivery spec"),
    "qc.low_bit_depth": (Severity.MINOR, "bit depth below the delivery spec"),
    "qc.dual_mono": (Severity.MINOR, "stereo file with identical channels"),
    "stereo.mono_content": (Severity.MINOR, "mono content in a stereo file"),
    "qc.dc_offset": (Severity.MAJOR, "DC offset"),
    "qc.head_click": (Severity.MINOR, "click at the start"),
    "qc.tail_click": (Severity.MINOR, "click at the end"),
    "qc.head_silence": (Severity.MINOR, "digital silence at the start"),
    "qc.tail_silence": (Severity.MINOR, "digital silence at the end"),
    "stereo.low_polarity": (Severity.MINOR, "polarity problem in the low end"),
    "stereo.phase": (Severity.MAJOR, "the mix is out of phase"),
}


def delivery_verdict(findings: list[Finding]) -> Verdict:
    """Ready when no finding is a delivery defect at or above its blocking severity (taste never blocks)."""
    blockers = []
    for f in findings:
        rule = DELIVERY_DEFECTS.get(f.id)
        if rule is not None and SEVERITY_RANK[f.severity] <= SEVERITY_RANK[rule[0]]:
            blockers.append(Blocker(finding_id=f.id, reason=f"{rule[1][0].upper()}{rule[1][1:]}."))
    return Verdict(ready=not blockers, blockers=tuple(blockers))


def delivery_findings(ctx: Context) -> list[Finding]:
    """Format and edge defects; judged on finished masters only (a mixdown is not delivered)."""
    if not ctx.is_master:
        return []
    return _format(ctx) + _edges(ctx) + _encoded(ctx)


def _encoded(ctx: Context) -> list[Finding]:
    """Overs after a real AAC/Opus encode of the hottest moments: players clip them at 0 dBFS."""
    over = [p for p in ctx.analysis.encoded_peaks if p.true_peak_dbtp > _ENCODED_CEILING_DBTP]
    if not over:
        return []
    worst = max(over, key=lambda p: p.true_peak_dbtp)
    return [
        Finding(
            id="clipping.encoded_true_peak_over",
            area="clipping",
            severity=Severity.MAJOR if ctx.is_review else Severity.MINOR,
            title="Clips after streaming encodes",
            detail="Encoded and decoded with real encoders, the hottest moments go over 0 dBTP: "
            + ", ".join(f"{p.codec} {fmt(p.true_peak_dbtp, 'dBTP')}" for p in over)
            + f". Lower the limiter ceiling by at least {fmt(worst.true_peak_dbtp + 1.0, 'dB')} "
            "(a -1 dBTP ceiling leaves encoders room).",
            measured=tuple(
                measure(f"encoded_peaks.{p.codec}", f"{p.codec} true peak", p.true_peak_dbtp, "dBTP") for p in over
            ),
            target=Range(low=None, high=_ENCODED_CEILING_DBTP, unit="dBTP"),
            evidence=("encoded_peaks",),
        )
    ]


def _format(ctx: Context) -> list[Finding]:
    info = ctx.analysis.file
    found = []
    if info.sample_rate_hz < MIN_SAMPLE_RATE_HZ:
        found.append(_qc("qc.low_sample_rate", "Sample rate below the delivery spec",
                         f"The file runs at {fmt(info.sample_rate_hz, 'Hz')}; deliver at least 44.1 kHz.",
                         measure("file.sample_rate_hz", "Sample rate", info.sample_rate_hz, "Hz"),
                         Range(low=MIN_SAMPLE_RATE_HZ, high=None, unit="Hz")))  # fmt: skip
    if info.bit_depth is not None and info.bit_depth < MIN_BIT_DEPTH:
        found.append(_qc("qc.low_bit_depth", "Bit depth below the delivery spec",
                         f"The file is {info.bit_depth}-bit; deliver 16-bit or better (24-bit preferred).",
                         measure("file.bit_depth", "Bit depth", info.bit_depth, "count"),
                         Range(low=MIN_BIT_DEPTH, high=None, unit="count")))  # fmt: skip
    return found


def _edges(ctx: Context) -> list[Finding]:
    edges = ctx.analysis.edges
    if edges is None:
        return []
    found = []
    ends = (("head", "start", edges.head_silence_s, _HEAD_SILENCE_S, edges.first_sample_dbfs, "first"),
            ("tail", "end", edges.tail_silence_s, _TAIL_SILENCE_S, edges.last_sample_dbfs, "last"))  # fmt: skip
    for end, word, silence, limit, level, which in ends:
        if silence > limit:
            found.append(_qc(f"qc.{end}_silence", f"Digital silence at the {word}",
                             f"{fmt(silence, 's')} of digital silence at the {word}; keep it under "
                             f"{fmt(limit, 's')}.",
                             measure(f"edges.{end}_silence_s", "Silence", silence, "s"),
                             Range(low=None, high=limit, unit="s")))  # fmt: skip
        if level is not None and level > _CLICK_DBFS:
            found.append(_qc(f"qc.{end}_click", f"Click at the {word}",
                             f"The {which} sample is at {fmt(level, 'dBFS')}: the file {word}s mid-waveform, which "
                             "clicks; add a short fade.",
                             measure(f"edges.{which}_sample_dbfs", f"The {which} sample", level, "dBFS"),
                             Range(low=None, high=_CLICK_DBFS, unit="dBFS")))  # fmt: skip
    return found


def _qc(slug: str, title: str, detail: str, measured: Measure, target: Range) -> Finding:
    evidence = f"edges.{slug.split('.', 1)[1]}" if slug.startswith(("qc.head", "qc.tail")) else "file"
    return Finding(
        id=slug,
        area="qc",
        severity=Severity.MAJOR,
        title=title,
        detail=detail,
        measured=(measured,),
        target=target,
        evidence=(evidence,),
    )
