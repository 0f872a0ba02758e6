"""Choosing the engine that writes the coach's answers, and the lookups a model may call while it writes them.

The builtin engine is coaching knowledge; the OpenAI-compatible one is transport (``services.llm``) that is handed
``LookupTools``, so ``services.llm`` never imports coaching.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from services.coaching.builtin.answers import answer_with_lookups
from services.coaching.builtin.engine import BuiltinProvider
from services.coaching.tools import MAX_TOOL_ROUNDS, TOOL_SPECS, run_tool_json
from services.domain import ToolCall
from services.llm import LLMProvider, OpenAIProvider
from services.llm.prompt import Prompt


class LookupTools:
    """The lookups over the stored measurements as a ``services.llm.Toolbox``."""

    specs: Sequence[dict[str, Any]] = TOOL_SPECS
    max_rounds: int = MAX_TOOL_ROUNDS

    def run_json(self, prompt: Prompt, name: str, arguments_json: str) -> ToolCall:
        return run_tool_json(prompt.facts, name, arguments_json)

    def looked_up(self, prompt: Prompt) -> list[ToolCall]:
        """The lookups the offline engine makes for the question: what a server without tools is sent instead."""
        if prompt.conversation is None:
            return []
        return answer_with_lookups(prompt.facts, prompt.conversation)[1]


def build_provider(
    *,
    engine: Literal["builtin", "openai"],
    api_key: str | None = None,
    base_url: str | None = None,
    model: str = "gpt-4o-mini",
    timeout_s: float = 60.0,
    chunk_timeout_s: float = 30.0,
    max_retries: int = 2,
    temperature: float = 0.3,
    max_output_tokens: int = 1200,
) -> LLMProvider:
    """The engine named by ``engine`` (``Settings.llm_engine`` resolves ``auto`` before calling this)."""
    if engine == "builtin":
        return BuiltinProvider()
    return OpenAIProvider(
        api_key=api_key,
        base_url=base_url,
        model=model,
        timeout_s=timeout_s,
        chunk_timeout_s=chunk_timeout_s,
        max_retries=max_retries,
        temperature=temperature,
        max_output_tokens=max_output_tokens,
        toolbox=LookupTools(),
    )
