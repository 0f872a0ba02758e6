"""A loopback fake of an OpenAI-compatible ``POST /v1/chat/completions``, driven by the real ``openai`` SDK.

Each test scripts replies (like pydantic-ai's ``FunctionModel``): a fixed ``Reply`` queue, or a function of the
request. It answers JSON or SSE ``chat.completion.chunk`` frames ending in ``data: [DONE]``, records every request,
and can fail the ways real servers do: 429/500 with a JSON error, a delay before the first byte or between
chunks (timeouts), a stream cut off mid-way, a stream that just stops (no finish_reason, no [DONE]), and a
malformed chunk. ``refused_url()`` gives a URL where nothing listens.

Served by uvicorn in a thread on a socket bound to 127.0.0.1 port 0 (not ASGITransport, which buffers streams).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Reply:
    """One scripted answer. ``text`` is split into word deltas unless ``chunks`` is given."""

    text: str = "1. Clipping at 1:32.\n   Fix: lower the mix bus by 3.0 dB."
    chunks: list[str] | None = None
    status: int = 200
    error_message: str = "scripted failure"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the response starts
    chunk_delay_s: float = 0.0  # before each chunk
    stall_after: int | None = None  # after this many chunks, go silent for ``stall_s``
    stall_s: float = 30.0
    cut_after: int | None = None  # after this many chunks, drop the connection without finishing
    stop_after: int | None = None  # after this many chunks, end the body cleanly but without finish/[DONE]
    malformed_after: int | None = None  # after this many chunks, send a frame that is not JSON
    prompt_tokens: int = 321
    send_usage: bool = True
    # function calls to stream instead of text: (name, arguments as a JSON string), split into fragments the way
    # OpenAI does (id and name first, then the arguments in pieces), ending with finish_reason "tool_calls"
    tool_calls: list[tuple[str, str]] | None = None
    # SSE ``data`` payloads to stream verbatim (each JSON-encoded), then ``[DONE]``: chunks of any shape, for tests
    # of how the client reads them (interleaved tool-call fragments, an error event, a chunk of the wrong shape)
    frames: list[Any] | None = None
    # the streamed body's bytes verbatim, each item sent as it is (for tests of how events are split: line endings,
    # comments, events across chunk boundaries, a body cut mid-event)
    raw: list[bytes] | None = None

    def deltas(self) -> list[str]:
        if self.chunks is not None:
            return self.chunks
        words = self.text.split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]


@dataclass
class StreamRecord:
    """What one streamed response did: how many content chunks it sent of how many, and how it ended
    (``None`` while it is still sending, ``"finished"`` after ``[DONE]``, ``"closed"`` when the client hung up)."""

    planned: int
    sent: int = 0
    ended: str | None = None


class _Cut(Exception):
    """Raised inside the body iterator so uvicorn drops the connection mid-stream."""


ReplyFn = Callable[[dict[str, Any]], Reply]


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: deque[Reply] = deque()
        self.reply_fn: ReplyFn | None = None
        self.first_chunk_sent_at: list[float] = []  # time.perf_counter() per streamed response
        self.streams: list[StreamRecord] = []  # one per streamed response, in order
        self.model = "fake-gpt"
        self.refuse_stream_options = False  # like servers that do not know stream_options (answer 400)
        self.refuse_tools = False  # like servers without function calling (answer 400 to a request with tools)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        app = Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])
        config = uvicorn.Config(app, log_level="critical", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._sock.getsockname()
        return f"http://{host}:{port}/v1"

    def push(self, *replies: Reply) -> None:
        """Queue replies, used in order; when the queue is empty ``reply_fn`` (or a default Reply) answers."""
        self.script.extend(replies)

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()

    def _next(self, body: dict[str, Any]) -> Reply:
        if self.script:
            return self.script.popleft()
        return self.reply_fn(body) if self.reply_fn is not None else Reply()

    async def _chat(self, request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.refuse_stream_options and "stream_options" in body:
            error = {"error": {"message": "Unrecognized request argument supplied: stream_options", "type": "invalid"}}
            return JSONResponse(error, status_code=400)
        if self.refuse_tools and "tools" in body:
            error = {"error": {"message": "This model does not support tools", "type": "invalid_request_error"}}
            return JSONResponse(error, status_code=400)
        reply = self._next(body)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.status != 200:
            error = {"error": {"message": reply.error_message, "type": "scripted", "code": str(reply.status)}}
            return JSONResponse(error, status_code=reply.status, headers=reply.headers)
        if body.get("stream") and reply.raw is not None:
            return StreamingResponse(self._raw(reply.raw), media_type="text/event-stream")
        if body.get("stream") and reply.frames is not None:
            return StreamingResponse(self._verbatim(reply.frames), media_type="text/event-stream")
        if body.get("stream") and reply.tool_calls:
            return StreamingResponse(self._tool_stream(reply, body), media_type="text/event-stream")
        if body.get("stream"):
            return StreamingResponse(self._frames(reply, body), media_type="text/event-stream", headers=reply.headers)
        return JSONResponse(self._completion(reply, body))

    def _completion(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        text = "".join(reply.deltas())
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": len(reply.deltas()),
                "total_tokens": reply.prompt_tokens + len(reply.deltas()),
            },
        }

    @staticmethod
    def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> str:
        frame = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "fake-gpt"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(frame)}\n\n"

    def _tool_frames(self, reply: Reply, body: dict[str, Any]) -> list[str]:
        frames = []
        for i, (name, arguments) in enumerate(reply.tool_calls or []):
            head = {"index": i, "id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": ""}}
            frames.append(self._chunk(body, {"tool_calls": [head]}, None))
            for start in range(0, len(arguments), 7):
                piece = {"index": i, "function": {"arguments": arguments[start : start + 7]}}
                frames.append(self._chunk(body, {"tool_calls": [piece]}, None))
        return frames

    @staticmethod
    async def _raw(pieces: list[bytes]) -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
            await asyncio.sleep(0)  # each piece its own write, so the client reads them apart

    @staticmethod
    async def _verbatim(frames: list[Any]) -> AsyncIterator[str]:
        for frame in frames:
            yield f"data: {json.dumps(frame)}\n\n"
        yield "data: [DONE]\n\n"

    async def _tool_stream(self, reply: Reply, body: dict[str, Any]) -> AsyncIterator[str]:
        """A turn that calls functions: the fragments, finish_reason "tool_calls", usage if asked, [DONE]."""
        yield self._chunk(body, {"role": "assistant", "content": None}, None)
        for tool_frame in self._tool_frames(reply, body):
            yield tool_frame
        yield self._chunk(body, {}, "tool_calls")
        if reply.send_usage and (body.get("stream_options") or {}).get("include_usage"):
            usage = {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": 1,
                "total_tokens": reply.prompt_tokens + 1,
            }
            frame = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": body.get("model", "fake-gpt"), "choices": [], "usage": usage}  # fmt: skip
            yield f"data: {json.dumps(frame)}\n\n"
        yield "data: [DONE]\n\n"

    async def _frames(self, reply: Reply, body: dict[str, Any]) -> AsyncIterator[str]:
        record = StreamRecord(planned=len(reply.deltas()))
        self.streams.append(record)
        try:
            async for frame in self._scripted_frames(reply, body, record):
                yield frame
        except (asyncio.CancelledError, GeneratorExit):  # the client closed the connection mid-stream
            record.ended = "closed"
            raise
        record.ended = record.ended or "finished"

    async def _scripted_frames(self, reply: Reply, body: dict[str, Any], record: StreamRecord) -> AsyncIterator[str]:
        deltas = reply.deltas()
        yield self._chunk(body, {"role": "assistant", "content": ""}, None)
        for i, delta in enumerate(deltas):
            if i == reply.cut_after:
                raise _Cut("scripted connection drop")
            if i == reply.stop_after:
                return
            if i == reply.malformed_after:
                yield 'data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content": "x"\n\n'
                return
            if i == reply.stall_after:
                await asyncio.sleep(reply.stall_s)
            if reply.chunk_delay_s:
                await asyncio.sleep(reply.chunk_delay_s)
            if i == 0:
                self.first_chunk_sent_at.append(time.perf_counter())
            yield self._chunk(body, {"content": delta}, None)
            record.sent += 1
        yield self._chunk(body, {}, "stop")
        if reply.send_usage and (body.get("stream_options") or {}).get("include_usage"):
            usage = {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": len(deltas),
                "total_tokens": reply.prompt_tokens + len(deltas),
            }
            frame = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model", "fake-gpt"),
                "choices": [],
                "usage": usage,
            }
            yield f"data: {json.dumps(frame)}\n\n"
        yield "data: [DONE]\n\n"


def refused_url() -> str:
    """A loopback URL where nothing listens (the port was bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def is_loopback(url: str) -> bool:
    """The guard's test: only 127.0.0.1 / localhost / ::1 base URLs may be used by tests."""
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "") in {"127.0.0.1", "localhost", "::1"}
