"""Prompt building: pure functions from stored facts to chat messages, with a token estimate and budget.

May import ``services.diagnosis``, ``services.genres``, ``services.analysis.result``, ``services.domain`` and the
request records of ``services.llm`` (``prompt``, ``tokens``: what a prompt is, re-exported here); never the store,
the llm transport or asyncio. Snapshot tests pin the exact text.
"""

from __future__ import annotations

from services.coaching.prompts.builder import (
    build_feedback_prompt,
    build_followup_prompt,
    build_summary_prompt,
    data_block,
)
from services.llm.prompt import ChatMessage, Conversation, Facts, Prompt, Turn
from services.llm.tokens import estimate_text_tokens, estimate_tokens

__all__ = [
    "ChatMessage",
    "Conversation",
    "Facts",
    "Prompt",
    "Turn",
    "build_feedback_prompt",
    "build_followup_prompt",
    "build_summary_prompt",
    "data_block",
    "estimate_text_tokens",
    "estimate_tokens",
]
