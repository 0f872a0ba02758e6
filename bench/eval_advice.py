"""``python -m bench.eval_advice``: the offline engine's first move for each flaw at its stage, as a table.

Uses the stored-analysis fixtures of ``tests/fakes/advice_cases.py`` (each flaw's measurements on a typical mix),
so it runs in a second with no audio. A row passes when the first move says what the flaw needs (``expect``) and
none of what it must never say (``never``), in every profile. The same expectations on real music, through analysis,
follow in ``python -m bench.eval`` (``tests.fakes.flaw_matrix.FIRST_MOVES``; the table is in docs/flaw-matrix.md).
"""

from __future__ import annotations

from services.coaching.builtin.plan import first_move
from services.diagnosis import diagnose
from services.domain import FeedbackProfile
from services.genres import match_genre
from tests.fakes.advice_cases import CASES, Case


def row(case: Case) -> tuple[str, str, str, bool]:
    report = diagnose(case.analysis(), genre=match_genre("pop"), stage=case.stage)
    move = first_move(report)
    if move is None:
        return case.name, case.stage.value, "(no move)", False
    ok = all(
        all(w.lower() in move.recipe.voice[p].lower() for w in case.expect)
        and not any(w in move.recipe.voice[p].lower() for w in case.never)
        for p in FeedbackProfile
    )
    return case.name, case.stage.value, move.recipe.voice[FeedbackProfile.DETAILED], ok


def main() -> None:
    rows = [row(c) for c in CASES]
    print("First move per flaw (offline engine, detailed voice)\n")
    print(f"| {'Flaw':<30} | {'Stage':<13} | OK  | First move")
    print(f"|{'-' * 32}|{'-' * 15}|-----|{'-' * 60}")
    for name, stage, text, ok in rows:
        print(f"| {name:<30} | {stage:<13} | {'yes' if ok else 'NO ':<3} | {text}")
    print(f"\n{sum(r[3] for r in rows)}/{len(rows)} first moves right")


if __name__ == "__main__":
    main()
