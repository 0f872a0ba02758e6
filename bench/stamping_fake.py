"""``python -m bench.stamping_fake PORT_FILE TOKENS [DELAY_S]``: the loopback fake OpenAI server of the tests, in its
own process, streaming every answer as ``TOKENS`` tokens at 50 tokens/s, each token's text the ``time.perf_counter()``
at which it was sent (``[123.456789]``; CLOCK_MONOTONIC, the same clock in every process on the machine).

``DELAY_S`` (1.5 unless given) is the wait before an answer's first token.
It writes its base URL to ``PORT_FILE`` once listening and runs until terminated.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from tests.fakes.openai_server import FakeOpenAIServer, Reply

MARK = "\u00a7"
TOKEN_INTERVAL_S = 0.02  # 50 tokens/s


class StampingFake(FakeOpenAIServer):
    @staticmethod
    def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> str:
        if delta.get("content") == MARK:
            delta = {"content": f"[{time.perf_counter():.6f}]"}
        frame = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "fake-gpt"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(frame)}\n\n"


def main() -> None:
    url_file, tokens = Path(sys.argv[1]), int(sys.argv[2])
    delay_s = float(sys.argv[3]) if len(sys.argv) > 3 else 1.5
    fake = StampingFake()
    # The delay lets each subscriber attach before the first token, as a browser's subscription would.
    fake.reply_fn = lambda body: Reply(chunks=[MARK] * tokens, chunk_delay_s=TOKEN_INTERVAL_S, delay_s=delay_s)
    fake.start()
    url_file.write_text(fake.url)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    fake.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
