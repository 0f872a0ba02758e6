"""The builtin summary quotes questions whole, or cut at a word with an ellipsis: never mid-word."""

from __future__ import annotations

from services.coaching.builtin.answers import write_summary
from services.llm.prompt import Conversation, Turn


def test_summary_words_long_questions_are_cut_between_words() -> None:
    long = "Could you tell me whether the low end of the second chorus is muddier than the first chorus overall?"
    convo = Conversation(
        feedback="f", summary=None, turns=(Turn("user", "Is it loud enough?"), Turn("user", long)), question="q"
    )
    asked = write_summary(convo).split("\n")[0]
    assert asked.startswith("Then asked: Is it loud enough?; Could you tell me")
    quoted = asked.split("; ", 1)[1]
    assert quoted.endswith("….") and len(quoted) <= 82
    assert long.startswith(quoted.removesuffix("….")) and long[len(quoted) - 2] == " ", quoted
