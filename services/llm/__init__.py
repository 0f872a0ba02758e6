"""Language-model engines behind one small interface (``stream`` / ``complete``), and the factory choosing one.

The only package that imports ``openai``. It may import ``services.prompts`` / ``services.diagnosis`` (the builtin
engine writes from the findings); never the store or anything above services.
"""

from __future__ import annotations

from typing import Literal

from services.llm.base import Completion, LLMProvider, ReplyStream, TokenUsage
from services.llm.builtin import BuiltinProvider
from services.llm.remote import OpenAIProvider

__all__ = [
    "BuiltinProvider",
    "Completion",
    "LLMProvider",
    "OpenAIProvider",
    "ReplyStream",
    "TokenUsage",
    "build_provider",
]


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
    )
