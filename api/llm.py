"""The one place that turns settings into an LLM provider, for the server and the CLI alike."""

from __future__ import annotations

from api.settings import Settings
from services.coaching.engines import build_provider
from services.llm import LLMProvider


def provider_from(settings: Settings) -> LLMProvider:
    """The engine ``MIXCOACH_LLM`` selects, configured with plain values (the key is unwrapped only here)."""
    return build_provider(
        engine=settings.llm_engine,
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout_s=settings.llm_timeout_s,
        chunk_timeout_s=settings.llm_chunk_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
        max_output_tokens=settings.llm_max_output_tokens,
    )
