"""Issue 9's full flaw matrix through the real pipeline, and issue 10's first move per flaw, as tables.

Each track (the pip-shipped music of ``tests.fakes.pip_music``, plus the first corpus track of a few genres when
the calibration cache exists) is cut to an excerpt; every flaw of ``tests.fakes.flaw_matrix`` is written as a
real file and analysed, then diagnosed at the flaw's stage in the track's genre. A cell is "found" with the finding
that caught it, or MISSED / wrong way with why.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from services.analysis import analyze
from services.analysis.result import Analysis
from services.diagnosis import FindingReport, diagnose
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes import pip_music
from tests.fakes.flaw_matrix import FIRST_MOVES, MATRIX, caught, first_move_right

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Source:
    name: str
    genre: str
    audio: F64
    sr: int


def pip_sources() -> list[Source]:
    out = []
    for t in pip_music.TRACKS:
        if t.path.is_file():
            y, sr = pip_music.excerpt(t)
            out.append(Source(t.name, t.genre, y, sr))
    return out


def _analyses(src: Source, tmp: Path) -> dict[str, Analysis]:
    clean = tmp / "clean.wav"
    sf.write(str(clean), src.audio, src.sr, subtype="PCM_24")
    out = {"clean": analyze(clean)}
    for flaw in MATRIX:
        out[flaw.name] = analyze(flaw.write(src.audio, src.sr, tmp / "flawed"))
    return out


def _report(analysis: Analysis, genre: str, stage: FeedbackType) -> FindingReport:
    return diagnose(analysis, genre=match_genre(genre), stage=stage)


def matrix_tables(sources: list[Source]) -> str:
    """The flaw matrix (rows: flaws; one column per track) and the first-move table, as markdown."""
    cells: dict[tuple[str, str], tuple[bool, str]] = {}
    moves: dict[tuple[str, str], tuple[bool, str]] = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        for src in sources:
            got = _analyses(src, Path(tmp_dir))
            for flaw in MATRIX:
                stage = flaw.judged.stage
                clean = _report(got["clean"], src.genre, stage)
                cells[(flaw.name, src.name)] = caught(flaw, _report(got[flaw.name], src.genre, stage), clean)
            for spec in FIRST_MOVES:
                key = (f"{spec.flaw} ({spec.stage.value.lower()})", src.name)
                clean = _report(got["clean"], src.genre, spec.stage)
                moves[key] = first_move_right(spec, _report(got[spec.flaw], src.genre, spec.stage), clean)
    head = "| flaw | stage | " + " | ".join(f"{s.name} ({s.genre})" for s in sources) + " |"
    rule = "|---|---|" + "---|" * len(sources)
    lines = ["Flaw matrix: analyse + diagnose on each flawed file, at the flaw's stage", "", head, rule]
    for flaw in MATRIX:
        row = [_cell(cells[(flaw.name, s.name)]) for s in sources]
        lines.append(f"| {flaw.name} | {flaw.judged.stage.value.lower()} | " + " | ".join(row) + " |")
    found = sum(ok for ok, _ in cells.values())
    lines += ["", f"{found}/{len(cells)} cells found", "", "First move (offline engine, detailed voice)", "",
              head.replace("| flaw | stage |", "| flaw (stage) |"), rule[4:]]  # fmt: skip
    for spec in FIRST_MOVES:
        name = f"{spec.flaw} ({spec.stage.value.lower()})"
        lines.append(f"| {name} | " + " | ".join(_cell(moves[(name, s.name)]) for s in sources) + " |")
    right = sum(ok for ok, _ in moves.values())
    lines += ["", f"{right}/{len(moves)} first moves right"]
    return "\n".join(lines)


def _cell(result: tuple[bool, str]) -> str:
    ok, why = result
    return f"{'found' if ok else 'NO'}: {why}".replace("|", "/")
