"""Function calling against the loopback fake server, driven by the real SDK: the model's tool calls are run over
the measurements and their results reach it in the next request; a server that refuses tools gets the stuffed
prompt with no error; the sampling settings go out on every request."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.coaching.grounding import ground
from services.coaching.lookups import measurement, span_figures
from services.coaching.prompts import Conversation, Facts, Prompt, build_feedback_prompt, build_followup_prompt
from services.coaching.tools import MAX_TOOL_ROUNDS
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.errors import LLMBadResponse
from services.genres import match_genre
from tests.fakes.analysis_data import timed_mix
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply

A = timed_mix()
TOOL_NAMES = ["span_figures", "band_over_time", "section_figures", "reference_comparison", "findings", "measurement"]


def _facts() -> Facts:
    report = diagnose(A, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    return Facts(analysis=A, report=report, profile=FeedbackProfile.DETAILED)


def _ask(question: str, time_range: tuple[float, float] | None = None) -> Prompt:
    convo = Conversation("(feedback)", None, (), question, time_range=time_range)
    return build_followup_prompt(_facts(), convo, budget_tokens=6000)


async def _run(provider: Any, prompt: Prompt) -> tuple[str, Any]:
    async with provider.stream(prompt) as reply:
        text = "".join([d async for d in reply])
    return text, reply


def _tools_in(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


async def test_model_tool_calls_run_and_their_results_reach_the_model(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    mean = span_figures(A, start_s=0, end_s=180)["short_term_loudness"]
    assert isinstance(mean, dict)
    answer = f"Over 0:00-3:00 the short-term loudness averages {mean['mean_lufs']} LUFS; the tempo is 150 BPM."
    fake_openai.push(
        Reply(tool_calls=[("span_figures", '{"start_s": 0, "end_s": 180}'), ("measurement", '{"name":"tempo"}')]),
        Reply(text=answer, prompt_tokens=500),
    )
    text, reply = await _run(openai_provider(), _ask("How loud is it over the whole song, and what is the tempo?"))
    assert text == answer
    first, second = fake_openai.requests
    assert _tools_in(first) == TOOL_NAMES and first["tool_choice"] == "auto"
    called = second["messages"][-3]
    assert called["role"] == "assistant" and [c["function"]["name"] for c in called["tool_calls"]] == [
        "span_figures",
        "measurement",
    ]
    results = [json.loads(m["content"]) for m in second["messages"][-2:]]
    assert [m["tool_call_id"] for m in second["messages"][-2:]] == [c["id"] for c in called["tool_calls"]]
    assert results == [span_figures(A, start_s=0, end_s=180), measurement(A, name="tempo")]
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [
        ("span_figures", {"start_s": 0, "end_s": 180}),
        ("measurement", {"name": "tempo"}),
    ]
    assert reply.usage.prompt_tokens == 321 + 500  # summed over both rounds
    facts = _facts()
    with_tools = ground(
        text, analysis=A, report=facts.report, tool_results=[(c.name, c.result) for c in reply.tool_calls]
    )
    without = ground(text, analysis=A, report=facts.report)
    assert with_tools.fully_grounded and not without.fully_grounded  # the span's mean is traced to the tool only
    assert any(n.source is not None and n.source.startswith("tool:span_figures") for n in with_tools.traced)


async def test_bad_tool_arguments_come_back_as_an_error_for_the_model(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(
        Reply(tool_calls=[("span_figures", '{"start_s": "soon"}'), ("band_over_time", "{not json")]),
        Reply(text="I could not read those figures."),
    )
    _, reply = await _run(openai_provider(), _ask("what about the drop?"))
    results = [json.loads(m["content"]) for m in fake_openai.requests[1]["messages"][-2:]]
    assert all("error" in r for r in results) and [c.name for c in reply.tool_calls] == TOOL_NAMES[:2]


async def test_tool_rounds_are_capped_and_the_last_round_must_answer(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    looping = [Reply(tool_calls=[("findings", "{}")]) for _ in range(MAX_TOOL_ROUNDS)]
    fake_openai.push(*looping, Reply(text="Here is the answer."))
    text, reply = await _run(openai_provider(), _ask("what is wrong?"))
    assert text == "Here is the answer." and len(reply.tool_calls) == MAX_TOOL_ROUNDS
    choices = [r["tool_choice"] for r in fake_openai.requests]
    assert choices == ["auto"] * MAX_TOOL_ROUNDS + ["none"]


async def test_a_server_that_refuses_tools_gets_the_stuffed_prompt_without_error(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.refuse_tools = True
    fake_openai.push(Reply(text="At 2:42 it clips."), Reply(text="150 BPM."))
    provider = openai_provider()
    text, reply = await _run(provider, _ask("what happens here?", time_range=(160.0, 164.0)))
    assert text == "At 2:42 it clips."
    refused, stuffed = fake_openai.requests
    assert _tools_in(refused) == TOOL_NAMES and "tools" not in stuffed
    question = stuffed["messages"][-1]["content"]
    assert question.startswith("what happens here?") and "start_s=160, end_s=164" in question
    assert "LOOKUPS FOR THIS QUESTION" in question
    assert json.dumps(span_figures(A, start_s=160.0, end_s=164.0), separators=(",", ":")) in question
    assert [c.name for c in reply.tool_calls] == ["span_figures"]
    text, _ = await _run(provider, _ask("what is the tempo?"))  # remembered: no second refused request
    assert text == "150 BPM." and len(fake_openai.requests) == 3 and "tools" not in fake_openai.requests[2]


async def test_feedback_prompts_offer_no_tools(fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory) -> None:
    fake_openai.push(Reply(text="1. Clipping."))
    await _run(openai_provider(), build_feedback_prompt(_facts(), budget_tokens=6000))
    assert "tools" not in fake_openai.requests[0]


async def test_temperature_and_output_cap_go_out_on_every_request(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    provider = openai_provider(temperature=0.15, max_output_tokens=777)
    fake_openai.push(Reply(tool_calls=[("findings", "{}")]), Reply(text="Done."), Reply(text="Summary."))
    await _run(provider, _ask("what should I fix first?"))
    await provider.complete(build_feedback_prompt(_facts(), budget_tokens=6000))
    assert len(fake_openai.requests) == 3
    assert all(r["temperature"] == 0.15 and r["max_tokens"] == 777 for r in fake_openai.requests)
    assert all("max_completion_tokens" not in r for r in fake_openai.requests)


async def test_a_model_that_only_calls_tools_fails_plainly(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    fake_openai.push(*[Reply(tool_calls=[("findings", "{}")]) for _ in range(MAX_TOOL_ROUNDS + 1)])
    with pytest.raises(LLMBadResponse, match="gave no answer"):
        await _run(openai_provider(), _ask("what is wrong?"))
    assert len(fake_openai.requests) == MAX_TOOL_ROUNDS + 1
