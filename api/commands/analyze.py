"""``mixcoach analyze FILE [--json]``: measure one file and print a readable report or the full JSON result."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.analysis.result import Analysis


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("analyze", help="measure an audio file (loudness, dynamics, tone, stereo...)")
    parser.add_argument(
        "file", help="WAV, FLAC, AIFF, OGG/Opus, MP3, M4A/AAC/ALAC, WMA or CAF file, or a video with sound"
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--max-duration", type=float, default=3600.0, help="longest accepted audio, seconds")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 on success, 2 when the file cannot be analysed (the reason goes to stderr), 3 on an internal error."""
    # One short-lived process, two analysis threads of its own: OpenBLAS worker threads would only spin against
    # them. Effective only because numpy is not imported yet at this point (the dispatcher stays light).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from services.analysis import AnalysisConfig, analyze
    from services.errors import DomainError

    try:
        result = analyze(args.file, config=AnalysisConfig(max_duration_s=args.max_duration))
    except DomainError as exc:
        print(f"mixcoach analyze: {exc.message}", file=sys.stderr)
        return 2
    except Exception as exc:  # the edge: a bug must still end in one readable line, not a traceback
        logging.getLogger(__name__).debug("analysis failed", exc_info=True)
        print(
            f"mixcoach analyze: internal error ({type(exc).__name__}); please report it with the file", file=sys.stderr
        )
        return 3
    if args.json:
        print(json.dumps(result.to_json_dict(), indent=2))
    else:
        print(render_report(result))
    return 0


def _fmt(value: float | None, unit: str, *, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} {unit}".rstrip()


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def render_report(a: Analysis) -> str:
    """A compact aligned table of key figures followed by the issues found."""
    lo, dy, st, mu = a.loudness, a.dynamics, a.stereo, a.musical
    key = f"{mu.key} ({mu.key_confidence:.0%})" if mu.key and mu.key_confidence is not None else "n/a"
    rows = [
        ("File", f"{a.file.format} {a.file.subtype}, {a.file.sample_rate_hz} Hz, {a.file.channels} ch"),
        ("Duration", _clock(a.file.duration_s)),
        ("Integrated", _fmt(lo.integrated_lufs, "LUFS")),
        ("Loudness range", _fmt(lo.loudness_range_lu, "LU")),
        ("Short-term max", _fmt(lo.short_term_max_lufs, "LUFS")),
        ("True peak", _fmt(lo.true_peak_dbtp, "dBTP")),
        ("PLR", _fmt(dy.plr_db, "dB")),
        ("Crest factor", _fmt(dy.crest_factor_db, "dB")),
        ("Stereo width", _fmt(st.width_pct, "%", digits=0)),
        ("Correlation", _fmt(st.correlation, "", digits=2)),
        ("Tempo", _fmt(mu.tempo_bpm, "BPM")),
        ("Key", key),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    found = issues(a)
    lines += ["", "Issues:" if found else "Issues: none found"] + [f"  - {text}" for text in found]
    return "\n".join(lines)


def issues(a: Analysis) -> list[str]:
    """Plain-language problems worth a look, each grounded in a measured figure."""
    out = []
    if a.loudness.integrated_lufs is None:
        out.append(f"integrated loudness unavailable: {a.loudness.unavailable.get('integrated_lufs', '')}")
    if a.clipping.clip_runs:
        out.append(
            f"clipping: {a.clipping.clip_runs} runs of full-scale samples ({a.clipping.clipped_samples} samples)"
        )
    if a.clipping.true_peak_overs:
        out.append(f"true-peak overs above 0 dBTP: {a.clipping.true_peak_overs}")
    if a.loudness.true_peak_dbtp is not None and a.loudness.true_peak_dbtp > -1.0:
        out.append(
            f"true peak {a.loudness.true_peak_dbtp:.1f} dBTP is above -1 dBTP: risk of clipping after lossy encoding"
        )
    if any(abs(v) >= 0.1 for v in a.qc.dc_offset_pct):
        out.append("DC offset: " + ", ".join(f"{v:+.2f} %" for v in a.qc.dc_offset_pct))
    if a.qc.likely_lossy and a.qc.lossy_cutoff_hz:
        out.append(f"likely lossy source: spectrum stops at {a.qc.lossy_cutoff_hz / 1000:.1f} kHz")
    if a.qc.likely_resampled and a.qc.resampled_cutoff_hz:
        out.append(f"likely resampled: no content above {a.qc.resampled_cutoff_hz / 1000:.1f} kHz")
    if a.qc.is_dual_mono:
        out.append("dual mono: left and right channels are identical")
    for span in a.stereo.out_of_phase[:5]:
        out.append(f"out of phase from {_clock(span.start_s)} to {_clock(span.end_s)}")
    if a.dynamics.heavy_limiting:
        out.append("heavy limiting: " + "; ".join(a.dynamics.limiting_evidence))
    return out
