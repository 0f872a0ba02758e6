"""The offline engine: real feedback and follow-up answers written from the findings, with no model at all.

It is the default when neither an API key nor a base URL is configured. Deterministic (same facts, same text),
fully grounded (it states only figures from the analysis, findings and targets), and it streams word by word
through the same ``ReplyStream`` as the remote engine.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from services.llm.answers import write_answer, write_summary
from services.llm.base import Completion, ReplyStream, estimated_usage
from services.llm.voices import ANSWER_STAGE, write_feedback
from services.prompts import Prompt

_WORDS = re.compile(r"\S+\s*|\s+")


def write(prompt: Prompt) -> str:
    """The full text for a prompt of any kind."""
    if prompt.kind == "feedback" or prompt.conversation is None:
        return write_feedback(prompt.facts)
    if prompt.kind == "summary":
        return write_summary(prompt.conversation)
    token = ANSWER_STAGE.set(prompt.facts.stage)  # follow-up fixes use the stage's moves
    try:
        return write_answer(prompt.facts, prompt.conversation)
    finally:
        ANSWER_STAGE.reset(token)


class BuiltinProvider:
    name = "builtin"
    model = "mixcoach-builtin-1"

    async def complete(self, prompt: Prompt) -> Completion:
        text = write(prompt)
        return Completion(text=text, usage=estimated_usage(prompt, text))

    def stream(self, prompt: Prompt) -> ReplyStream:
        return ReplyStream(prompt, lambda _reply: self._deltas(prompt))

    async def _deltas(self, prompt: Prompt) -> AsyncIterator[str]:
        for match in _WORDS.finditer(write(prompt)):
            yield match.group(0)
            await asyncio.sleep(0)  # let other tasks (subscribers, flushes) run between words

    async def aclose(self) -> None:
        return None
