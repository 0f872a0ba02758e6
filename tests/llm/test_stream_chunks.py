"""How the OpenAI-compatible engine reads a streamed turn's chunks (as JSON, not SDK models), driven by the real SDK
against the loopback fake: text, tool-call fragments interleaved across calls, usage and the finish are read from
chunks of every shape a server sends; a chunk of the wrong shape or an error event mid-stream is a malformed
response, after the text before it reached the caller."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.coaching.prompts import Conversation, Facts, Prompt, build_followup_prompt
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.errors import LLMBadResponse
from services.genres import match_genre
from tests.fakes.analysis_data import timed_mix
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply

A = timed_mix()


def _ask(question: str) -> Prompt:
    facts = Facts(
        analysis=A,
        report=diagnose(A, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN),
        profile=FeedbackProfile.DETAILED,
    )
    return build_followup_prompt(facts, Conversation("(feedback)", None, (), question), budget_tokens=6000)


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    return {"id": "c", "object": "chat.completion.chunk", "choices": [], "usage": usage}


def _fragment(index: int, *, id: str | None = None, name: str | None = None, arguments: str = "") -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": arguments}
    if name is not None:
        function["name"] = name
    head = {"id": id, "type": "function"} if id is not None else {}
    return {"index": index, **head, "function": function}


async def test_interleaved_tool_call_fragments_assemble_per_index(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    calls = _chunk(
        {"tool_calls": [_fragment(0, id="call_a", name="measurement"), _fragment(1, id="call_b", name="findings")]}
    )
    fake_openai.push(
        Reply(
            frames=[
                _chunk({"role": "assistant", "content": None}),
                calls,
                _chunk({"tool_calls": [_fragment(1, arguments="{")]}),
                _chunk({"tool_calls": [_fragment(0, arguments='{"name":')]}),
                _chunk({"tool_calls": [_fragment(1, arguments="}")]}),
                _chunk({"tool_calls": [_fragment(0, arguments=' "tempo"}')]}),
                _chunk({}, "tool_calls"),
                _usage(100, 7),
            ]
        ),
        Reply(
            frames=[
                _chunk({"role": "assistant", "content": ""}),
                _chunk({"content": "The tempo"}),
                _chunk({"content": None}),
                _chunk({"content": " is 150 BPM."}, "stop"),
                _usage(200, 5),
            ]
        ),
    )
    async with openai_provider().stream(_ask("what is the tempo?")) as reply:
        deltas = [d async for d in reply]
    assert deltas == ["The tempo", " is 150 BPM."]
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("measurement", {"name": "tempo"}), ("findings", {})]
    sent = fake_openai.requests[1]["messages"]
    assert sent[-3]["tool_calls"] == [
        {"id": "call_a", "type": "function", "function": {"name": "measurement", "arguments": '{"name": "tempo"}'}},
        {"id": "call_b", "type": "function", "function": {"name": "findings", "arguments": "{}"}},
    ]
    assert [m["tool_call_id"] for m in sent[-2:]] == ["call_a", "call_b"]
    assert json.loads(sent[-2]["content"]) == reply.tool_calls[0].result
    usage = reply.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.estimated) == (300, 12, False)


@pytest.mark.parametrize(
    "bad",
    [
        [1, 2],
        {"choices": "not a list"},
        {"choices": [{"delta": {"content": 5}}]},
        {"choices": [{"delta": "text"}]},
        {"choices": [{"delta": {"tool_calls": [{"index": "first", "function": {"name": "findings"}}]}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": 7}}]}}]},
        {"error": {"message": "the model is overloaded", "type": "server_error"}},
    ],
)
async def test_a_chunk_of_the_wrong_shape_is_a_malformed_response(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory, bad: Any
) -> None:
    fake_openai.push(Reply(frames=[_chunk({"content": "Before"}), _chunk({"content": " it broke"}), bad]))
    received: list[str] = []
    with pytest.raises(LLMBadResponse, match="malformed"):
        async with openai_provider().stream(_ask("what now?")) as stream:
            async for delta in stream:
                received.append(delta)
    assert received == ["Before", " it broke"]


async def test_a_turn_without_a_finish_reason_is_cut_short(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(Reply(frames=[_chunk({"content": "Half an"}), _chunk({"content": " answer"})]))
    received: list[str] = []
    with pytest.raises(LLMBadResponse, match="ended before"):
        async with openai_provider().stream(_ask("and then?")) as stream:
            async for delta in stream:
                received.append(delta)
    assert received == ["Half an", " answer"]
