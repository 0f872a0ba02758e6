"""The OpenAI-compatible engine: the official SDK's streaming chat completions, with tools over the measurements.

Works with OpenAI and any server speaking the same API (Ollama, vLLM, llama.cpp, LM Studio) by pointing the base
URL at it. Timeouts are explicit (total, and ``read`` which also bounds the gap between stream chunks); the SDK
retries 429/5xx/connection errors with exponential backoff ``max_retries`` times, honouring ``retry-after``.

Follow-ups offer the toolbox handed in (``base.Toolbox``; the lookups of ``services.coaching.tools``) as
functions: the model's calls are run, their results appended, and the model continues, for at most
``toolbox.max_rounds`` rounds; the last round may not call tools. A server that refuses ``tools`` (HTTP 400) is
remembered and gets the stuffed prompt instead: the data block plus the lookups the toolbox picks for that
question, so the user sees no error either way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import ssl
from collections.abc import AsyncIterator
from typing import Any, cast

import anyio
import httpx2
import openai
import orjson
from openai import AsyncAPIResponse, AsyncOpenAI

from services.errors import LLMBadResponse
from services.llm.base import Completion, ReplyStream, TokenUsage, Toolbox, estimated_usage
from services.llm.failures import StreamState, map_openai_errors
from services.llm.prompt import Prompt
from services.llm.rounds import Turn, followup_messages, total
from services.llm.sse import sse_data

log = logging.getLogger(__name__)


class _ToolsRefused(Exception):
    """The server answered 400 to a request carrying ``tools``."""


def _wire(prompt: Prompt) -> list[Any]:
    return [{"role": m.role, "content": m.content} for m in prompt.messages]


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        model: str,
        timeout_s: float,
        chunk_timeout_s: float,
        max_retries: int,
        temperature: float = 0.3,
        max_output_tokens: int = 1200,
        toolbox: Toolbox | None = None,
    ) -> None:
        self.model = model
        self._toolbox = toolbox  # None: no tools are offered and nothing is stuffed
        self._secret = api_key
        self._timeout_s = timeout_s
        self._chunk_timeout_s = chunk_timeout_s
        # ``max_tokens`` rather than ``max_completion_tokens``: every OpenAI-compatible server we target reads it
        self._sampling: dict[str, Any] = {"temperature": temperature, "max_tokens": max_output_tokens}
        self._usage_in_stream = True  # cleared for servers that refuse stream_options
        self._tools_ok = True  # cleared for servers that refuse tools
        # local servers ignore the key, but the SDK insists on one
        self._client = AsyncOpenAI(
            api_key=api_key or "not-needed",
            base_url=base_url,
            timeout=openai.Timeout(timeout_s, read=chunk_timeout_s),
            max_retries=max_retries,
        )
        # The SDK imports its chat resources on first use: do it here, at start-up, not on the loop of a live
        # server answering its first question (a stall every stream in the process would feel).
        self._completions = self._client.chat.completions
        self._streaming = self._completions.with_streaming_response

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, prompt: Prompt) -> Completion:
        with map_openai_errors(timeout_s=self._timeout_s, secret=self._secret):
            response = await self._completions.create(model=self.model, messages=_wire(prompt), **self._sampling)
        choices = getattr(response, "choices", None) or []
        text = (choices[0].message.content or "") if choices else ""
        if not text.strip():
            raise LLMBadResponse("The language model returned an empty answer.")
        usage = response.usage
        if usage is None:
            return Completion(text=text, usage=estimated_usage(prompt, text))
        record = TokenUsage(
            prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens, estimated=False
        )
        return Completion(text=text, usage=record)

    def stream(self, prompt: Prompt) -> ReplyStream:
        return ReplyStream(prompt, lambda reply: self._deltas(prompt, reply))

    async def _open(
        self, stack: contextlib.AsyncExitStack, messages: list[Any], *, tools: str | None
    ) -> AsyncAPIResponse[Any]:
        """The streamed response, its body unread, closed when ``stack`` is. Usage is asked for in the stream; a 400
        naming ``stream_options`` is asked again without it; a 400 to a request with tools raises ``_ToolsRefused``.
        ``tools`` is None (none offered), "auto" or "none".

        The SDK still sends the request, applies timeouts, retries and raises its status errors; the body is read
        here (``_chunks``): bytes split into events by ``services.llm.sse``, each event's JSON parsed by orjson,
        no SDK model or SSE decoder per chunk."""
        while True:
            extra: dict[str, Any] = dict(self._sampling)
            if self._usage_in_stream:
                extra["stream_options"] = {"include_usage": True}
            if tools is not None and self._toolbox is not None:
                extra |= {"tools": list(self._toolbox.specs), "tool_choice": tools}
            try:
                request = self._streaming.create(model=self.model, messages=messages, stream=True, **extra)
                return await stack.enter_async_context(request)
            except openai.BadRequestError as exc:
                if self._usage_in_stream and "stream_options" in str(exc.body or exc.message):
                    self._usage_in_stream = False
                    continue
                if tools is not None:
                    raise _ToolsRefused from exc
                raise

    def _stuffed(self, prompt: Prompt, reply: ReplyStream) -> list[Any]:
        """No tools: the question goes out with the lookups the offline engine makes for it, as JSON."""
        messages = _wire(prompt)
        if prompt.conversation is None or self._toolbox is None:
            return messages
        calls = self._toolbox.looked_up(prompt)
        reply.tool_calls.extend(calls)
        if calls:
            looked_up = json.dumps([c.to_dict() for c in calls], separators=(",", ":"))
            messages[-1]["content"] += f"\n\nLOOKUPS FOR THIS QUESTION (JSON, quote from these)\n{looked_up}"
        return messages

    async def _deltas(self, prompt: Prompt, reply: ReplyStream) -> AsyncIterator[str]:
        state = StreamState()
        usages: list[TokenUsage] = []
        with map_openai_errors(timeout_s=self._chunk_timeout_s, secret=self._secret, state=state):
            offer = prompt.kind == "followup" and self._tools_ok and self._toolbox is not None
            max_rounds = self._toolbox.max_rounds if self._toolbox is not None else 0
            messages = _wire(prompt) if offer or prompt.kind != "followup" else self._stuffed(prompt, reply)
            for round_no in range(max_rounds + 1):
                tools = None if not offer else "auto" if round_no < max_rounds else "none"
                turn = Turn()
                async with contextlib.AsyncExitStack() as stack:
                    try:
                        response = await self._open(stack, messages, tools=tools)
                    except _ToolsRefused:
                        log.info("the model server refused tools; answering from the stuffed prompt instead")
                        self._tools_ok, offer = False, False
                        messages = self._stuffed(prompt, reply)
                        response = await self._open(stack, messages, tools=None)
                    async for chunk in _chunks(response):
                        for delta in turn.read(chunk):
                            state.started = True
                            yield delta
                if turn.usage is not None:
                    usages.append(turn.usage)
                    reply.set_server_usage(total(usages) or turn.usage)
                if not turn.finished:
                    raise LLMBadResponse("The language model's stream ended before the answer was finished.")
                if not turn.calls:
                    return
                if tools != "auto":  # calls where none were offered (or allowed): stop, with the text so far
                    if not state.started:
                        raise LLMBadResponse("The language model kept looking things up and gave no answer.")
                    return
                toolbox = cast(Toolbox, self._toolbox)  # tools were offered, so there is one
                done = [toolbox.run_json(prompt, p.name, p.arguments) for p in turn.pending]
                reply.tool_calls.extend(done)
                messages = [*messages, *followup_messages(turn, done)]


async def _chunks(response: AsyncAPIResponse[Any]) -> AsyncIterator[object]:
    """Each event's JSON, parsed. The transport's failures while the body is read become the SDK's errors, as its
    own stream raises them (a read timeout between chunks ``APITimeoutError``, a dropped connection
    ``APIConnectionError``), for ``map_openai_errors`` to word."""
    request = response.http_response.request
    try:
        async for data in sse_data(response.iter_bytes()):
            yield orjson.loads(data)
    except httpx2.TimeoutException as exc:
        raise openai.APITimeoutError(request=request) from exc
    except (httpx2.RequestError, anyio.EndOfStream, ssl.SSLError) as exc:
        raise openai.APIConnectionError(request=request) from exc
