"""Pytest fixtures for the fake OpenAI server and a loopback guard; imported by the conftests that need them.

``fake_openai`` serves a fresh ``FakeOpenAIServer`` per test; ``openai_provider`` builds the real engine (real SDK,
``max_retries=0`` unless asked) pointed at it, after checking the URL is loopback (so no test can reach the
network even if the environment carries a real ``OPENAI_BASE_URL``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from services.coaching.engines import LookupTools
from services.llm import OpenAIProvider
from tests.fakes.openai_server import FakeOpenAIServer, is_loopback

TEST_API_KEY = "sk-test-SECRET-0123456789abcdef"

ProviderFactory = Callable[..., OpenAIProvider]


def require_loopback(url: str | None) -> None:
    if url is None or not is_loopback(url):
        pytest.fail(f"LLM base URL {url!r} is not loopback; tests may only talk to the fake server")


@pytest.fixture(autouse=True)
def _llm_network_guard() -> None:
    """Fail any test run with a non-loopback OPENAI_BASE_URL in the environment."""
    url = os.environ.get("OPENAI_BASE_URL")
    if url is not None:
        require_loopback(url)


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
async def openai_provider(fake_openai: FakeOpenAIServer) -> AsyncIterator[ProviderFactory]:
    made: list[OpenAIProvider] = []

    def make(
        *,
        base_url: str | None = None,
        timeout_s: float = 10.0,
        chunk_timeout_s: float = 5.0,
        max_retries: int = 0,
        temperature: float = 0.3,
        max_output_tokens: int = 1200,
    ) -> OpenAIProvider:
        url = base_url or fake_openai.url
        require_loopback(url)
        provider = OpenAIProvider(
            api_key=TEST_API_KEY,
            base_url=url,
            model="fake-gpt",
            timeout_s=timeout_s,
            chunk_timeout_s=chunk_timeout_s,
            max_retries=max_retries,
            temperature=temperature,
            max_output_tokens=max_output_tokens,
            toolbox=LookupTools(),
        )
        made.append(provider)
        return provider

    yield make
    for provider in made:
        await provider.aclose()
