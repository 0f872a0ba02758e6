"""The one place where ``openai`` exceptions become our ``LLMError`` tree (httpx's ``map_httpcore_exceptions``).

Messages are written here, in words, and never include the exception text, the base URL's credentials or the
API key; ``redact`` is applied as a last line of defence to anything we log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import openai

from services.errors import LLMBadResponse, LLMError, LLMRateLimited, LLMTimeout, LLMUnavailable

log = logging.getLogger(__name__)


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


class StreamState:
    """Whether any content arrived yet: a dropped connection after that is a cut stream, not an outage."""

    def __init__(self) -> None:
        self.started = False


@contextmanager
def map_openai_errors(*, timeout_s: float, secret: str | None, state: StreamState | None = None) -> Iterator[None]:
    try:
        yield
    except LLMError:
        raise
    except openai.APITimeoutError as exc:
        log.warning("LLM timeout: %s", redact(type(exc).__name__, secret))
        raise LLMTimeout(
            f"The language model did not answer in time (limit {timeout_s:g} s between chunks or in total)."
        ) from exc
    except openai.RateLimitError as exc:
        raise LLMRateLimited("The language model is rate-limiting requests (HTTP 429); try again in a moment.") from exc
    except openai.AuthenticationError as exc:
        raise LLMUnavailable("The language model rejected the API key (HTTP 401); check OPENAI_API_KEY.") from exc
    except openai.APIStatusError as exc:
        kind = "a server error" if exc.status_code >= 500 else "an error"
        raise LLMUnavailable(f"The language model returned {kind} (HTTP {exc.status_code}).") from exc
    except openai.APIConnectionError as exc:
        if state is not None and state.started:
            raise LLMBadResponse("The language model's stream was cut off mid-answer.") from exc
        raise LLMUnavailable("Could not connect to the language model server (connection refused or dropped).") from exc
    except (json.JSONDecodeError, openai.APIError) as exc:
        raise LLMBadResponse("The language model sent a malformed response chunk.") from exc
