"""The offline engine: real feedback and follow-up answers written from the findings, with no model at all.

It is the default when neither an API key nor a base URL is configured. Deterministic (same facts, same text),
fully grounded (it states only figures from the analysis, findings and targets), and it streams word by word
through the same ``ReplyStream`` as the remote engine.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from services.coaching.builtin.answers import answer_with_lookups, write_summary
from services.coaching.builtin.voices import write_feedback
from services.coaching.prompts import Prompt
from services.domain import ToolCall
from services.llm.base import Completion, ReplyStream, estimated_usage

_WORDS = re.compile(r"\S+\s*|\s+")


def write_with_lookups(prompt: Prompt) -> tuple[str, list[ToolCall]]:
    """The full text for a prompt of any kind, with the lookups a follow-up answer quotes."""
    if prompt.kind == "feedback" or prompt.conversation is None:
        return write_feedback(prompt.facts), []
    if prompt.kind == "summary":
        return write_summary(prompt.conversation), []
    return answer_with_lookups(prompt.facts, prompt.conversation)


def write(prompt: Prompt) -> str:
    """The full text for a prompt of any kind."""
    return write_with_lookups(prompt)[0]


class BuiltinProvider:
    name = "builtin"
    model = "mixcoach-builtin-1"

    async def complete(self, prompt: Prompt) -> Completion:
        text, calls = write_with_lookups(prompt)
        return Completion(text=text, usage=estimated_usage(prompt, text), tool_calls=tuple(calls))

    def stream(self, prompt: Prompt) -> ReplyStream:
        return ReplyStream(prompt, lambda reply: self._deltas(prompt, reply))

    async def _deltas(self, prompt: Prompt, reply: ReplyStream) -> AsyncIterator[str]:
        text, calls = write_with_lookups(prompt)
        reply.tool_calls.extend(calls)
        for match in _WORDS.finditer(text):
            yield match.group(0)
            await asyncio.sleep(0)  # let other tasks (subscribers, flushes) run between words

    async def aclose(self) -> None:
        return None
