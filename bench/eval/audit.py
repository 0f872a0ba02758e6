"""The clean-release acceptance audit of issue 9, on unaltered tracks of the calibration corpus (or the hold-out).

Per genre and overall it prints:

- MAJOR-or-above findings per track in the tonal, bass, stereo and transient areas (budget: 0.5 on average);
- resonance findings that sit on a note of the track's measured key (within 35 cents of a scale note, after the
  measured tuning; budget 0): the music's own notes must never be called resonances;
- master-review verdict blockers the audio does not have (budget 0), each checked on the decoded samples by
  ``bench.eval.truth`` rather than by the analyser.

Each whole track is analysed once and the analysis is cached as JSON in the audit's own directory (never in the
shared calibration cache), so changed rules are re-judged in seconds.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.eval.truth import CHECKS, blocker_is_true, load
from services.analysis import AnalysisConfig, analyze
from services.analysis.result import Analysis
from services.diagnosis import FindingReport, Severity, diagnose
from services.domain import FeedbackType
from services.errors import DomainError
from services.genres import match_genre

log = logging.getLogger(__name__)

AREAS = ("tonal", "bass", "stereo", "transients")
MAJOR_BUDGET = 0.5
_NOTES = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6, "G": 7, "G#": 8,
          "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11}  # fmt: skip
_MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
_MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10)
_NOTE_CENTS = 35.0


@dataclass
class TrackAudit:
    name: str
    genre: str
    majors: Counter[str] = field(default_factory=Counter)  # area -> MAJOR-or-above findings
    major_ids: list[str] = field(default_factory=list)
    resonances: int = 0
    resonances_on_notes: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    false_blockers: list[str] = field(default_factory=list)


def key_pitch_classes(key: str | None) -> set[int]:
    """The seven pitch classes of a measured key such as "Eb major" (empty when unknown)."""
    if not key or " " not in key:
        return set()
    tonic, mode = key.split(" ", 1)
    if tonic not in _NOTES:
        return set()
    steps = _MINOR_STEPS if mode.startswith("minor") else _MAJOR_STEPS
    return {(_NOTES[tonic] + s) % 12 for s in steps}


def on_note(freq_hz: float, *, key: str | None, tuning_cents: float | None) -> bool:
    """Within ``_NOTE_CENTS`` of a note of the key, on the track's own tuning."""
    midi = 69.0 + 12.0 * math.log2(freq_hz / 440.0) - (tuning_cents or 0.0) / 100.0
    nearest = round(midi)
    return abs(100.0 * (midi - nearest)) <= _NOTE_CENTS and nearest % 12 in key_pitch_classes(key)


def _cache_path(cache: Path, name: str) -> Path:
    return cache / (name.replace("/", "__").replace("!", "__").replace(":", "__") + ".json")


def cached_analysis(cache: Path, name: str, path: Path, *, cached_only: bool = False) -> Analysis | None:
    """The whole track's analysis, computed once (one thread: the machine is shared)."""
    out = _cache_path(cache, name)
    if out.exists():
        return Analysis.model_validate(json.loads(out.read_text()))
    if cached_only:
        return None
    try:
        analysis = analyze(str(path), config=AnalysisConfig(max_duration_s=1800.0, threads=1))
    except DomainError as exc:
        log.warning("skipping %s: %s", name, exc.message)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(analysis.to_json_dict()))
    return analysis


def _truths(cache: Path | None, name: str, path: Path, *, cached_only: bool = False) -> dict[str, bool] | None:
    """Every blocker check of ``bench.eval.truth`` on the decoded file, cached next to the analysis."""
    out = None if cache is None else _cache_path(cache, name).with_suffix(".truth.json")
    if out is not None and out.exists():
        known: dict[str, bool] = json.loads(out.read_text())
        return known
    if cached_only:
        return None
    facts = load(path)
    truths = {slug: blocker_is_true(slug, facts) for slug in CHECKS}
    if out is not None:
        out.write_text(json.dumps(truths))
    return truths


def audit_track(
    name: str, genre: str, path: Path, analysis: Analysis, *, cache: Path | None = None, cached_only: bool = False
) -> TrackAudit | None:
    """One track's audit row; ``None`` when ``cached_only`` and its blocker checks were never run."""
    report: FindingReport = diagnose(analysis, genre=match_genre(genre), stage=FeedbackType.MASTER_REVIEW)
    row = TrackAudit(name=name, genre=genre)
    for f in report.findings:
        if f.area in AREAS and f.severity in (Severity.MAJOR, Severity.CRITICAL):
            row.majors[f.area] += 1
            row.major_ids.append(f.id)
        if f.id.startswith("tonal.resonance_"):
            row.resonances += 1
            shown = next((m.value for m in f.measured if m.key == "spectrum.resonances.frequency_hz"), None)
            # the finding shows the frequency rounded to 1 Hz, which is 30 cents at 56 Hz: judge the measured one
            exact = [r.frequency_hz for r in analysis.spectrum.resonances]
            freq = min(exact, key=lambda x: abs(x - shown)) if shown and exact else shown
            if freq and on_note(freq, key=analysis.musical.key, tuning_cents=analysis.musical.tuning_cents):
                row.resonances_on_notes.append(f"{freq:.0f} Hz in {analysis.musical.key}")
    if report.verdict is not None and report.verdict.blockers:
        truths = _truths(cache, name, path, cached_only=cached_only)
        if truths is None:
            return None
        for b in report.verdict.blockers:
            row.blockers.append(b.finding_id)
            if not truths.get(b.finding_id, False):
                row.false_blockers.append(b.finding_id)
    return row


def table(rows: Iterable[TrackAudit], *, title: str) -> str:
    """Per genre and overall: tracks, MAJOR+ per track by area and in all, resonances on notes, false blockers."""
    rows = list(rows)
    by_genre: dict[str, list[TrackAudit]] = {}
    for r in rows:
        by_genre.setdefault(r.genre, []).append(r)
    head = f"{'genre':<12} {'tracks':>6} " + " ".join(f"{a[:6]:>6}" for a in AREAS)
    lines = [title, f"  {head} {'MAJOR/track':>11} {'res.':>5} {'on note':>7} {'blockers':>8} {'false':>5}"]
    for genre, rs in [*sorted(by_genre.items()), ("all", rows)]:
        n = max(1, len(rs))
        per_area = " ".join(f"{sum(r.majors[a] for r in rs) / n:>6.2f}" for a in AREAS)
        total = sum(sum(r.majors.values()) for r in rs) / n
        lines.append(
            f"  {genre:<12} {len(rs):>6} {per_area} {total:>11.2f} {sum(r.resonances for r in rs):>5} "
            f"{sum(len(r.resonances_on_notes) for r in rs):>7} {sum(len(r.blockers) for r in rs):>8} "
            f"{sum(len(r.false_blockers) for r in rs):>5}"
        )
    total = sum(sum(r.majors.values()) for r in rows) / max(1, len(rows))
    on_notes = sum(len(r.resonances_on_notes) for r in rows)
    false = sum(len(r.false_blockers) for r in rows)
    verdict = "PASS" if total <= MAJOR_BUDGET and on_notes == 0 and false == 0 else "FAIL"
    lines.append(f"  {verdict}: {total:.2f} MAJOR per track (budget {MAJOR_BUDGET}), {on_notes} resonances on notes "
                 f"(budget 0), {false} false blockers (budget 0)")  # fmt: skip
    ids = Counter(i for r in rows for i in r.major_ids)
    if ids:
        lines.append("  MAJOR findings by id: " + ", ".join(f"{i} {n}" for i, n in ids.most_common()))
    blockers = Counter(i for r in rows for i in r.blockers)
    if blockers:
        falses = Counter(i for r in rows for i in r.false_blockers)
        lines.append(
            "  blockers by id (false): " + ", ".join(f"{i} {n} ({falses[i]})" for i, n in blockers.most_common())
        )
    for r in rows:
        if r.resonances_on_notes or r.false_blockers:
            lines.append(f"    {r.name}: on notes {r.resonances_on_notes}, false blockers {r.false_blockers}")
    return "\n".join(lines)


def corpus_rows(cache: Path, audit_cache: Path, *, cached_only: bool = False) -> list[TrackAudit]:
    """The audit of every clean corpus track the calibration measured (the ones its targets were built from)."""
    from bench.calibrate import corpus, measure
    from bench.calibrate.targets import exclusion

    doc = corpus.load()
    rows = []
    for t in corpus.interleaved(corpus.tracks(cache)):
        path = corpus.local_file(cache, t)
        analysis = cached_analysis(audit_cache, t.name, path, cached_only=cached_only)
        if analysis is None or exclusion(doc, measure.cached(cache, t) or _figures(analysis)) is not None:
            continue
        row = audit_track(t.name, t.genre, path, analysis, cache=audit_cache, cached_only=cached_only)
        if row is not None:
            rows.append(row)
    return rows


def _figures(a: Analysis) -> dict[str, object]:
    """What ``exclusion`` reads, from the whole track's analysis (for tracks the calibration has not measured yet)."""
    return {
        "duration_s": a.file.duration_s,
        "sample_rate_hz": a.file.sample_rate_hz,
        "lossy_cutoff_hz": a.qc.lossy_cutoff_hz,
        "band_levels_db": {b.band: b.value for b in a.spectrum.band_levels_db},
    }


def holdout_rows(cache: Path, *, cached_only: bool = False) -> list[TrackAudit]:
    """The audit of the hold-out packages (fetched and analysed in their own cache; a report, never tuned on)."""
    from bench.eval import holdout

    rows = []
    for name, genre, path in holdout.tracks(cache):
        analysis = cached_analysis(cache / "analyses", name, path, cached_only=cached_only)
        if analysis is not None:
            row = audit_track(name, genre, path, analysis, cache=cache / "analyses", cached_only=cached_only)
            if row is not None:
                rows.append(row)
    return rows
