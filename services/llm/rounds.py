"""One streamed model turn: its text deltas, the tool calls assembled from their fragments, how it finished.

Tool calls arrive in pieces (``index`` names the call; the first fragment carries ``id`` and ``name``, later ones
append to ``arguments``). The messages that carry a turn's calls and their results back to the model are built
here too, in the shape OpenAI-compatible servers expect (assistant ``tool_calls``, then one ``tool`` message each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from services.domain import ToolCall
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
        """The text deltas in one chunk; tool-call fragments, usage and the finish are recorded."""
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self.usage = TokenUsage(usage.prompt_tokens, usage.completion_tokens, estimated=False)
        texts = []
        for choice in getattr(chunk, "choices", None) or []:
            delta = getattr(choice, "delta", None)
            content = getattr(delta, "content", None)
            if content:
                texts.append(content)
            for fragment in getattr(delta, "tool_calls", None) or []:
                self._add(fragment)
            self.finished = self.finished or bool(getattr(choice, "finish_reason", None))
        return texts

    def _add(self, fragment: Any) -> None:
        pending = self.calls.setdefault(int(getattr(fragment, "index", 0) or 0), _Pending())
        pending.id = pending.id or (getattr(fragment, "id", None) or "")
        function = getattr(fragment, "function", None)
        pending.name += getattr(function, "name", None) or ""
        pending.arguments += getattr(function, "arguments", None) or ""

    @property
    def pending(self) -> list[_Pending]:
        return [self.calls[i] for i in sorted(self.calls)]


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
