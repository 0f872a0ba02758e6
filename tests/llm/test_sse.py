"""How a streamed body's bytes become events' data (``services.llm.sse``): whatever the chunk boundaries, line
endings, comments and multi-line data, every complete event's data comes out once and in order, nothing after
``[DONE]``, and an event the body ends in the middle of is not dispatched. Then the same bytes through the real SDK
and the loopback fake, end to end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from services.coaching.prompts import Facts, Prompt, build_feedback_prompt
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.errors import LLMBadResponse
from services.genres import match_genre
from services.llm.sse import sse_data
from tests.fakes.analysis_data import problem_mix
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply


async def _body(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _read(chunks: list[bytes]) -> list[bytes]:
    return [data async for data in sse_data(_body(chunks))]


def _every_split(body: bytes) -> list[list[bytes]]:
    """The body whole, one byte at a time, and cut in two at every position."""
    return [[body], [body[i : i + 1] for i in range(len(body))]] + [[body[:i], body[i:]] for i in range(1, len(body))]


BODY = b'data: {"a": 1}\n\n: keep-alive\n\ndata: {"b": 2}\n\ndata: [DONE]\n\n'


async def test_events_come_out_whole_wherever_the_chunks_split_them() -> None:
    for chunks in _every_split(BODY):
        assert await _read(chunks) == [b'{"a": 1}', b'{"b": 2}'], chunks


@pytest.mark.parametrize("newline", [b"\r\n", b"\r", b"\n"])
async def test_crlf_and_lone_cr_line_endings_wherever_the_chunks_split_them(newline: bytes) -> None:
    body = (b"data: x\ndata: y\n\n" + BODY).replace(b"\n", newline)
    for chunks in _every_split(body):
        assert await _read(chunks) == [b"x\ny", b'{"a": 1}', b'{"b": 2}'], chunks


async def test_comments_and_other_fields_are_skipped_and_data_lines_are_joined() -> None:
    body = (
        b": this is a comment\n"
        b"event: message\nid: 7\nretry: 1000\n"
        b"data: first line\n: a comment inside the event\ndata:second line\ndata\n\n"
        b"event: ping\n\n"  # an event without data is not dispatched
        b"data:  two spaces keep one\n\n"
    )
    for chunks in _every_split(body):
        assert await _read(chunks) == [b"first line\nsecond line\n", b" two spaces keep one"], chunks


async def test_a_body_cut_in_the_middle_of_an_event_drops_only_that_event() -> None:
    assert await _read([b'data: {"a": 1}\n\ndata: {"b":', b" 2}\n"]) == [b'{"a": 1}']
    assert await _read([b'data: {"a": 1}\n\ndata: {"b": 2}']) == [b'{"a": 1}']
    assert await _read([b'data: {"a": 1}\r\r']) == [b'{"a": 1}']  # two lone \r at the very end: a blank line


async def test_nothing_after_done_is_dispatched_and_the_rest_of_the_body_is_read() -> None:
    read: list[bytes] = []

    async def body() -> AsyncIterator[bytes]:
        for chunk in [b"data: 1\n\ndata: [DONE]\n\ndata: 2\n\n", b"data: 3\n\n", b"0\r\n\r\n"]:
            read.append(chunk)
            yield chunk

    assert [data async for data in sse_data(body())] == [b"1"]
    assert len(read) == 3  # drained, so an HTTP/1.1 connection can serve the next request


async def test_a_leading_byte_order_mark_is_ignored() -> None:
    assert await _read([b"\xef\xbb\xbfdata: 1\n\n"]) == [b"1"]


def _prompt() -> Prompt:
    analysis = problem_mix()
    report = diagnose(analysis, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    return build_feedback_prompt(
        Facts(analysis=analysis, report=report, profile=FeedbackProfile.PRO), budget_tokens=6000
    )


def _frame(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return json.dumps({"id": "c", "object": "chat.completion.chunk", "choices": [choice]}).encode()


async def test_the_sdk_streams_crlf_split_and_commented_events_end_to_end(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    body = (
        b": keep-alive\r\n\r\n"
        + b"data: "
        + _frame("Cut the")
        + b"\r\n\r\n"
        + b"data: "
        + _frame(" lows")
        + b"\r\n\r\n"
        + b"data: "
        + _frame(None, "stop")
        + b"\r\n\r\ndata: [DONE]\r\n\r\n"
    )
    fake_openai.push(Reply(raw=[body[i : i + 7] for i in range(0, len(body), 7)]))
    async with openai_provider().stream(_prompt()) as reply:
        assert [d async for d in reply] == ["Cut the", " lows"]


async def test_a_stream_cut_off_mid_event_without_done_is_a_malformed_end(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    body = b"data: " + _frame("Half") + b"\n\ndata: " + _frame(" an answer")[:20]
    fake_openai.push(Reply(raw=[body]))
    received: list[str] = []
    with pytest.raises(LLMBadResponse, match="ended before"):
        async with openai_provider().stream(_prompt()) as stream:
            async for delta in stream:
                received.append(delta)
    assert received == ["Half"]


async def test_an_event_whose_data_is_not_json_is_a_malformed_chunk(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    body = b"data: " + _frame("Half") + b"\n\ndata: {not json\n\ndata: [DONE]\n\n"
    fake_openai.push(Reply(raw=[body]))
    received: list[str] = []
    with pytest.raises(LLMBadResponse, match="malformed response chunk"):
        async with openai_provider().stream(_prompt()) as stream:
            async for delta in stream:
                received.append(delta)
    assert received == ["Half"]
