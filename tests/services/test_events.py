from __future__ import annotations

from services.events import Broker


async def test_events_reach_every_subscriber_of_the_key_only() -> None:
    broker: Broker[int, str] = Broker()
    broker.publish(1, "before anyone listens")
    async with broker.subscribe(1) as first, broker.subscribe(1) as second, broker.subscribe(2) as other:
        broker.publish(1, "hello")
        assert (await first.get(), await second.get()) == ("hello", "hello")
        assert other.empty()
        assert broker.subscriber_count(1) == 2
    assert broker.subscriber_count(1) == 0
