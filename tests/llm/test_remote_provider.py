from __future__ import annotations

import logging

import pytest

from services.coaching.engines import build_provider
from services.coaching.prompts import Facts, Prompt, build_feedback_prompt
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.errors import LLMBadResponse, LLMError, LLMRateLimited, LLMTimeout, LLMUnavailable
from services.genres import match_genre
from tests.fakes.analysis_data import problem_mix
from tests.fakes.llm_fixtures import TEST_API_KEY, ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply, refused_url


def _prompt() -> Prompt:
    analysis = problem_mix()
    report = diagnose(analysis, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    return build_feedback_prompt(
        Facts(analysis=analysis, report=report, profile=FeedbackProfile.PRO), budget_tokens=6000
    )


async def test_openai_stream_yields_deltas_and_server_usage(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(Reply(text="1. Clipping at 1:32.", prompt_tokens=777))
    async with openai_provider().stream(_prompt()) as reply:
        deltas = [d async for d in reply]
    assert deltas == ["1.", " Clipping", " at", " 1:32."]
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.estimated) == (777, 4, False)
    sent = fake_openai.requests[0]
    assert sent["stream"] is True and sent["model"] == "fake-gpt" and sent["stream_options"] == {"include_usage": True}
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert fake_openai.headers[0]["authorization"] == f"Bearer {TEST_API_KEY}"


async def test_openai_stream_without_usage_estimates_and_says_so(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(Reply(text="short answer", send_usage=False))
    prompt = _prompt()
    async with openai_provider().stream(prompt) as reply:
        text = "".join([d async for d in reply])
    assert text == "short answer"
    assert reply.usage.estimated and reply.usage.prompt_tokens == prompt.estimated_tokens


async def test_openai_complete_returns_text_and_usage(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(Reply(text="A summary.", prompt_tokens=50))
    completion = await openai_provider().complete(_prompt())
    assert completion.text == "A summary." and completion.usage.prompt_tokens == 50
    assert fake_openai.requests[0].get("stream") in (None, False)


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (Reply(status=429), LLMRateLimited, "HTTP 429"),
        (Reply(status=500), LLMUnavailable, "HTTP 500"),
        (Reply(status=503), LLMUnavailable, "HTTP 503"),
        (Reply(cut_after=3), LLMBadResponse, "cut off"),
        (Reply(stop_after=3), LLMBadResponse, "ended before"),
        (Reply(malformed_after=2), LLMBadResponse, "malformed"),
        (Reply(stall_after=2, stall_s=5.0), LLMTimeout, "did not answer in time"),
        (Reply(delay_s=5.0), LLMTimeout, "did not answer in time"),
    ],
)
async def test_openai_faults_map_to_typed_errors_without_the_key(
    fake_openai: FakeOpenAIServer,
    openai_provider: ProviderFactory,
    caplog: pytest.LogCaptureFixture,
    reply: Reply,
    error: type[LLMError],
    words: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_openai.push(reply)
    received: list[str] = []
    with pytest.raises(error, match=words) as info:
        async with openai_provider(chunk_timeout_s=0.5).stream(_prompt()) as stream:
            async for delta in stream:
                received.append(delta)
    assert TEST_API_KEY not in str(info.value) and TEST_API_KEY not in caplog.text
    if reply.stop_after is None:  # a foreign error, translated with `raise ... from`
        assert info.value.__cause__ is not None
    if reply.cut_after or reply.stop_after:
        assert len(received) == 3  # the partial text reached the caller before the failure


async def test_openai_refused_connection_is_unavailable(openai_provider: ProviderFactory) -> None:
    with pytest.raises(LLMUnavailable, match="Could not connect"):
        async with openai_provider(base_url=refused_url()).stream(_prompt()) as stream:
            _ = [d async for d in stream]


async def test_openai_retries_429_then_succeeds(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(Reply(status=429, headers={"retry-after-ms": "10"}), Reply(text="ok then"))
    async with openai_provider(max_retries=2).stream(_prompt()) as stream:
        text = "".join([d async for d in stream])
    assert text == "ok then" and len(fake_openai.requests) == 2


def test_build_provider_picks_the_engine() -> None:
    assert build_provider(engine="builtin").name == "builtin"
    remote = build_provider(engine="openai", base_url="http://127.0.0.1:9/v1", model="llama3")
    assert (remote.name, remote.model) == ("openai", "llama3")


async def test_openai_server_without_stream_options_still_streams(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.refuse_stream_options = True
    provider = openai_provider()
    for _ in range(2):
        fake_openai.push(Reply(text="works anyway"))
        async with provider.stream(_prompt()) as reply:
            assert "".join([d async for d in reply]) == "works anyway"
        assert reply.usage.estimated
    assert ["stream_options" in r for r in fake_openai.requests] == [True, False, False]  # asks once, remembers


async def test_openai_bad_request_is_unavailable_not_retried(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(Reply(status=400, error_message="model 'x' not found"))
    with pytest.raises(LLMUnavailable, match="HTTP 400"):
        async with openai_provider().stream(_prompt()) as stream:
            _ = [d async for d in stream]
    assert len(fake_openai.requests) == 1
