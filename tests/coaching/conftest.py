from __future__ import annotations

from tests.fakes.feedback_fixtures import feedback_db
from tests.fakes.llm_fixtures import _llm_network_guard, fake_openai, openai_provider

__all__ = ["_llm_network_guard", "fake_openai", "feedback_db", "openai_provider"]
