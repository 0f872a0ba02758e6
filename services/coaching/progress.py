"""The text of one answer as it is generated: its parts and timing (latency, time to first token)."""

from __future__ import annotations

import time

from services import domain
from services.llm import TokenUsage


class Progress:
    """The text so far of one generation, with its timing (``services.coaching.partials`` flushes it)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.parts: list[str] = []
        self.first_s: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, delta: str) -> None:
        if self.first_s is None:
            self.first_s = time.perf_counter() - self.started
        self.parts.append(delta)

    def usage(self, tokens: TokenUsage | None) -> domain.Usage:
        return domain.Usage(
            prompt_tokens=None if tokens is None else tokens.prompt_tokens,
            completion_tokens=None if tokens is None else tokens.completion_tokens,
            latency_ms=round((time.perf_counter() - self.started) * 1000),
            time_to_first_token_ms=None if self.first_s is None else round(self.first_s * 1000),
        )
