"""One streamed model turn: its text deltas, the tool calls assembled from their fragments, how it finished.

Chunks arrive as their JSON, parsed (``dict``), not as SDK models: building a model per chunk cost more than the rest
of a token's way to a subscriber. So the shape is checked here, and a chunk of the wrong shape is a malformed
response, like one that is not JSON.

Tool calls arrive in pieces (``index`` names the call; the first fragment carries ``id`` and ``name``, later ones
append to ``arguments``). The messages that carry a turn's calls and their results back to the model are built
here too, in the shape OpenAI-compatible servers expect (assistant ``tool_calls``, then one ``tool`` message each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from services.domain import ToolCall
from services.errors import LLMBadResponse
from services.llm.base import TokenUsage


@dataclass
class _Pending:
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class Turn:
    calls: dict[int, _Pending] = field(default_factory=dict)
    finished: bool = False
    usage: TokenUsage | None = None

    def read(self, chunk: object) -> list[str]:
        """The text deltas in one chunk (its JSON, as parsed); tool-call fragments, usage and the finish are
        recorded. A chunk that is not shaped like a ``chat.completion.chunk``, or an ``error`` the server sent
        mid-stream instead of one, raises ``LLMBadResponse``."""
        if not isinstance(chunk, dict) or chunk.get("error"):
            raise _malformed()
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
            if isinstance(prompt, int) and isinstance(completion, int):
                self.usage = TokenUsage(prompt, completion, estimated=False)
        choices = chunk.get("choices") or []
        if not isinstance(choices, list):
            raise _malformed()
        texts = []
        for choice in choices:
            if not isinstance(choice, dict):
                raise _malformed()
            delta = choice.get("delta") or {}
            if not isinstance(delta, dict):
                raise _malformed()
            content = delta.get("content")
            if content:
                if not isinstance(content, str):
                    raise _malformed()
                texts.append(content)
            fragments = delta.get("tool_calls") or []
            if not isinstance(fragments, list):
                raise _malformed()
            for fragment in fragments:
                self._add(fragment)
            self.finished = self.finished or bool(choice.get("finish_reason"))
        return texts

    def _add(self, fragment: object) -> None:
        if not isinstance(fragment, dict):
            raise _malformed()
        index = fragment.get("index") or 0
        function = fragment.get("function") or {}
        if not isinstance(index, int) or not isinstance(function, dict):
            raise _malformed()
        pending = self.calls.setdefault(index, _Pending())
        pending.id = pending.id or _text(fragment.get("id"))
        pending.name += _text(function.get("name"))
        pending.arguments += _text(function.get("arguments"))

    @property
    def pending(self) -> list[_Pending]:
        return [self.calls[i] for i in sorted(self.calls)]


def _text(value: object) -> str:
    """A string field of a fragment; absent or null is empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _malformed()
    return value


def _malformed() -> LLMBadResponse:
    return LLMBadResponse("The language model sent a malformed response chunk.")


def followup_messages(turn: Turn, done: list[ToolCall]) -> list[dict[str, Any]]:
    """The assistant message with the turn's calls, then one tool message per result (same order)."""
    calls = [
        {
            "id": p.id or f"call_{i}",
            "type": "function",
            "function": {"name": p.name, "arguments": p.arguments or "{}"},
        }
        for i, p in enumerate(turn.pending)
    ]
    results = [
        {"role": "tool", "tool_call_id": c["id"], "content": json.dumps(d.result, separators=(",", ":"))}
        for c, d in zip(calls, done, strict=True)
    ]
    return [{"role": "assistant", "content": None, "tool_calls": calls}, *results]


def total(usages: list[TokenUsage]) -> TokenUsage | None:
    """Server usage summed over the rounds of one answer (None when no round reported any)."""
    if not usages:
        return None
    return TokenUsage(
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        estimated=False,
    )
