"""The offline engine's exact advice over a corpus that reaches every recipe, at every stage and in every voice,
pinned as text (tests/coaching/builtin/snapshots; MIXCOACH_UPDATE_SNAPSHOTS=1 rewrites them: read the diff before
committing).

The acceptance tests check direction and stage rules; these catch any silent change of wording, amount or setting.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from services.coaching.builtin.moves import fix_for, recipe_for
from services.coaching.builtin.plan import first_move
from services.coaching.builtin.voices import pair, write_feedback
from services.coaching.prompts import Facts
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.genres import match_genre
from tests.fakes.advice_cases import corpus

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("MIXCOACH_UPDATE_SNAPSHOTS") == "1"
CORPUS = corpus()


def _render(name: str) -> str:
    track, reference = CORPUS[name]
    out: list[str] = []
    for stage in FeedbackType:
        report = diagnose(track, genre=match_genre("pop"), stage=stage, reference=reference)
        for profile in FeedbackProfile:
            facts = Facts(analysis=track, report=report, profile=profile, reference=reference)
            out.append(f"===== {stage.value} {profile.value}\n{write_feedback(facts)}")
            for i, f in enumerate(report.findings, start=1):
                r = recipe_for(f, stage)
                head = f"--- {f.id} [{r.step.name} {r.subject} {r.direction}{' ok' if r.ok else ''}] {r.verify}"
                out.append(f"{head}\n{pair(i, f, profile, stage)}\n{fix_for(f, profile, stage)}")
        first = first_move(report)
        out.append(f"===== {stage.value} first move: {first.finding.id if first else None}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("name", list(CORPUS))
def test_advice_matches_snapshot(name: str) -> None:
    path = SNAPSHOTS / f"advice_{re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_')}.txt"
    text = _render(name)
    if UPDATE or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written; re-run")
    assert text == path.read_text(encoding="utf-8")
