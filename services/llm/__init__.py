"""The transport to a language model: one small interface (``stream`` / ``complete``) and the OpenAI-compatible
client behind it.

The only package that imports ``openai``. It knows what a request is (``prompt.Prompt``: chat messages plus the
facts they were written from) and how text comes back, never what the coach should say: the builtin engine, the
lookups offered as tools and the factory choosing an engine live in ``services.coaching``. May import
``services.analysis`` / ``services.diagnosis`` / ``services.domain`` (the records a prompt carries); never
``services.coaching``, the store or anything above services.
"""

from __future__ import annotations

from services.llm.base import Completion, LLMProvider, ReplyStream, TokenUsage, Toolbox
from services.llm.remote import OpenAIProvider

__all__ = ["Completion", "LLMProvider", "OpenAIProvider", "ReplyStream", "TokenUsage", "Toolbox"]
