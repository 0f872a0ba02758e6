"""The OpenAI-compatible engine: the official SDK's streaming chat completions.

Works with OpenAI and any server speaking the same API (Ollama, vLLM, llama.cpp, LM Studio) by pointing the base
URL at it. Timeouts are explicit (total, and ``read`` which also bounds the gap between stream chunks); the SDK
retries 429/5xx/connection errors with exponential backoff ``max_retries`` times, honouring ``retry-after``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletionChunk

from services.errors import LLMBadResponse
from services.llm.base import Completion, ReplyStream, TokenUsage, estimated_usage
from services.llm.failures import StreamState, map_openai_errors
from services.prompts import Prompt


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
    ) -> None:
        self.model = model
        self._secret = api_key
        self._timeout_s = timeout_s
        self._chunk_timeout_s = chunk_timeout_s
        self._usage_in_stream = True  # cleared for servers that refuse stream_options
        # local servers ignore the key, but the SDK insists on one
        self._client = AsyncOpenAI(
            api_key=api_key or "not-needed",
            base_url=base_url,
            timeout=openai.Timeout(timeout_s, read=chunk_timeout_s),
            max_retries=max_retries,
        )

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, prompt: Prompt) -> Completion:
        with map_openai_errors(timeout_s=self._timeout_s, secret=self._secret):
            response = await self._client.chat.completions.create(model=self.model, messages=_wire(prompt))
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

    async def _open_stream(self, prompt: Prompt) -> AsyncStream[ChatCompletionChunk]:
        """Ask for usage in the stream; servers that reject ``stream_options`` (400) are asked again without it."""
        if self._usage_in_stream:
            try:
                return await self._client.chat.completions.create(
                    model=self.model, messages=_wire(prompt), stream=True, stream_options={"include_usage": True}
                )
            except openai.BadRequestError as exc:
                if "stream_options" not in str(exc.body or exc.message):
                    raise
                self._usage_in_stream = False
        return await self._client.chat.completions.create(model=self.model, messages=_wire(prompt), stream=True)

    async def _deltas(self, prompt: Prompt, reply: ReplyStream) -> AsyncIterator[str]:
        state = StreamState()
        with map_openai_errors(timeout_s=self._chunk_timeout_s, secret=self._secret, state=state):
            stream = await self._open_stream(prompt)
            finished = False
            async with stream:
                async for chunk in stream:
                    usage = getattr(chunk, "usage", None)
                    if usage is not None:
                        reply.set_server_usage(
                            TokenUsage(usage.prompt_tokens, usage.completion_tokens, estimated=False)
                        )
                    for choice in getattr(chunk, "choices", None) or []:
                        delta = getattr(getattr(choice, "delta", None), "content", None)
                        if delta:
                            state.started = True
                            yield delta
                        finished = finished or bool(getattr(choice, "finish_reason", None))
            if not finished:
                raise LLMBadResponse("The language model's stream ended before the answer was finished.")
