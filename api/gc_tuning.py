"""Garbage-collector settings for a serving process, applied once start-up is over.

Start-up leaves hundreds of thousands of long-lived objects (numpy, librosa, the schema, Tortoise's models). A full
collection walks all of them, and under load those walks took 100-160 ms every few seconds: the read p99. So:

- ``gc.freeze()`` moves everything alive at the end of start-up into the permanent generation, which no collection
  walks again;
- a larger first-generation threshold lets a request's short-lived objects die by reference counting before a
  collection looks at them, so young collections are rarer (each one is still short: the young generation only);
- the middle generation keeps CPython's threshold (a collection of it every 10 young ones): what a young collection
  finds alive is mostly the requests still in flight, and with 20 the middle generation grew to some 20 of those
  batches: middle-generation pauses of up to 34 ms of CPU in the read bench, 22 ms with 10 (loaded machine).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 5_000  # CPython's default is 700 allocations
OLDER_THRESHOLDS = (10, 20)  # default (10, 10): fewer full collections, each walking what start-up did not freeze


def freeze_after_startup() -> None:
    """Collect what start-up left behind, then exclude every survivor from later collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
