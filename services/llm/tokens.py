"""A deterministic token estimate for budgeting prompts.

Why not a real tokenizer: models differ (OpenAI, Llama, Qwen...) and we must not download vocabularies at run
time. English text with numbers averages about four characters a token for BPE tokenizers, and each chat message
costs a few tokens of framing; the estimate is used for budgeting and reporting, and servers' own counts are
recorded when they send them.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.llm.prompt import ChatMessage

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4


def estimate_text_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def estimate_tokens(messages: Iterable[ChatMessage]) -> int:
    """Estimated prompt tokens of a chat request."""
    return sum(estimate_text_tokens(m.content) + MESSAGE_OVERHEAD_TOKENS for m in messages) + 2
