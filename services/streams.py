"""Message streams: the text generated so far per message, and live deltas for subscribers.

Generation belongs to the server, not to a socket: a generation task publishes here whether or not anyone
listens. A subscriber first gets everything generated before it arrived (one replay event), then each live delta,
then a final ``done`` event carrying the finished (or FAILED) message, or, when the message was deleted while it
streamed, no message and an ``error_code``. A message that is no longer generating in this process is answered from
the database with a single ``done`` event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from services import domain
from services.events import Broker


@dataclass(frozen=True)
class MessageEvent:
    message_id: int
    delta: str
    done: bool
    message: domain.Message | None = None
    error_code: str | None = None  # set on a final event without a message: it was deleted while streaming
    error: str | None = None


class MessageStreams:
    def __init__(self) -> None:
        self._broker: Broker[int, MessageEvent] = Broker()
        self._live: dict[int, list[str]] = {}

    def open(self, message_id: int) -> None:
        self._live[message_id] = []

    def is_live(self, message_id: int) -> bool:
        return message_id in self._live

    def publish(self, message_id: int, delta: str) -> None:
        self._live.setdefault(message_id, []).append(delta)
        self._broker.publish(message_id, MessageEvent(message_id=message_id, delta=delta, done=False))

    def finish(self, message_id: int, message: domain.Message) -> None:
        """The last event: subscribers get the stored message and stop."""
        self._live.pop(message_id, None)
        self._broker.publish(message_id, MessageEvent(message_id=message_id, delta="", done=True, message=message))

    def abandon(self, message_id: int, *, code: str, error: str) -> bool:
        """The last event for a message that no longer exists; False if it was not streaming here."""
        if self._live.pop(message_id, None) is None:
            return False
        event = MessageEvent(message_id=message_id, delta="", done=True, error_code=code, error=error)
        self._broker.publish(message_id, event)
        return True

    async def follow(
        self, message_id: int, *, load: Callable[[], Awaitable[domain.Message]]
    ) -> AsyncIterator[MessageEvent]:
        """Replay, then live deltas, then ``done``; ``load`` reads the stored message (ownership-checked)."""
        stored = await load()  # raises NotFound for a missing or foreign message before anything is yielded
        async with self._broker.subscribe(message_id) as queue:
            live = self._live.get(message_id)
            if live is None:
                current = stored if stored.status is not domain.MessageStatus.STREAMING else await load()
                yield MessageEvent(message_id=message_id, delta=current.content, done=True, message=current)
                return
            so_far = "".join(live)
            if so_far:
                yield MessageEvent(message_id=message_id, delta=so_far, done=False)
            while True:
                event = await queue.get()
                yield event
                if event.done:
                    return
