"""The one small provider interface every engine implements, and the records it returns.

``stream(prompt)`` returns a ``ReplyStream``: an async iterator of non-empty text deltas that is also an async
context manager (so the HTTP response is always closed) and exposes ``usage`` and the ``tool_calls`` made (lookups
over the measurements) once exhausted. ``complete(prompt)``
returns the whole text. Transport details (SSE, chunks, retries) stay inside each provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from services.domain import ToolCall
from services.llm.prompt import Prompt
from services.llm.tokens import estimate_text_tokens


@dataclass(frozen=True)
class TokenUsage:
    prompt_tokens: int
    completion_tokens: int
    estimated: bool  # True when the server sent no usage and we counted ~4 characters a token


@dataclass(frozen=True)
class Completion:
    text: str
    usage: TokenUsage
    tool_calls: tuple[ToolCall, ...] = ()


def estimated_usage(prompt: Prompt, text: str) -> TokenUsage:
    return TokenUsage(
        prompt_tokens=prompt.estimated_tokens, completion_tokens=estimate_text_tokens(text), estimated=True
    )


class ReplyStream:
    """Wraps a provider's async generator of deltas; the generator may report server usage on the way."""

    def __init__(self, prompt: Prompt, produce: Callable[[ReplyStream], AsyncIterator[str]]) -> None:
        self._prompt = prompt
        self._text: list[str] = []
        self._server_usage: TokenUsage | None = None
        self.tool_calls: list[ToolCall] = []  # lookups made while answering, in order (filled as they run)
        self._deltas = produce(self)

    def __aiter__(self) -> ReplyStream:
        return self

    async def __anext__(self) -> str:
        delta = await anext(self._deltas)
        self._text.append(delta)
        return delta

    async def __aenter__(self) -> ReplyStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        closer = getattr(self._deltas, "aclose", None)
        if closer is not None:
            await closer()

    def set_server_usage(self, usage: TokenUsage) -> None:
        self._server_usage = usage

    @property
    def usage(self) -> TokenUsage:
        """Server-reported usage when sent, otherwise an estimate (``estimated=True``)."""
        return self._server_usage or estimated_usage(self._prompt, "".join(self._text))


class LLMProvider(Protocol):
    """An engine: ``name`` ("builtin" | "openai") and ``model`` are recorded on every message."""

    name: str
    model: str

    def stream(self, prompt: Prompt) -> ReplyStream: ...

    async def complete(self, prompt: Prompt) -> Completion: ...

    async def aclose(self) -> None: ...


class Toolbox(Protocol):
    """The functions a model may call while it answers a follow-up, handed in by whoever builds the engine.

    The transport only carries them: the lookups themselves are coaching knowledge (``services.coaching.tools``),
    and ``services.llm`` must not import coaching.
    """

    specs: Sequence[dict[str, Any]]  # OpenAI function-calling specs, sent as ``tools``
    max_rounds: int  # rounds that may call tools; one more round follows that may not

    def run_json(self, prompt: Prompt, name: str, arguments_json: str) -> ToolCall:
        """Run the model's call (arguments as the JSON string it sent, maybe malformed); never raises."""
        ...

    def looked_up(self, prompt: Prompt) -> list[ToolCall]:
        """For a server that refuses tools: the lookups to send along with the question instead."""
        ...
