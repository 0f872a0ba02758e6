"""Garbage-collector settings for a serving process, applied once start-up is over.

Start-up leaves hundreds of thousands of long-lived objects (numpy, librosa, the schema, Tortoise's models). A full
collection walks all of them, and under load those walks took 100-160 ms every few seconds: the read p99. So:

- ``gc.freeze()`` moves everything alive at the end of start-up into the permanent generation, which no collection
  walks again;
- a larger first-generation threshold lets a request's short-lived objects die by reference counting before a
  collection looks at them, so young collections are rarer (each one is still short: the young generation only);
- the middle generation is collected every 4 young collections (CPython: 10): what a young collection finds alive
  is mostly the requests still in flight, and the middle generation's pause grows with how many such batches it
  holds. Longest pauses in the read bench (quiet machine, 5 s per concurrency): with 10, 31-37 ms on SQLite and
  23 ms on PostgreSQL; with 4, 22-30 ms and 13-14 ms. With a smaller young threshold (2,000) the full collections
  took over (25-52 ms), so the young threshold stays.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 5_000  # CPython's default is 700 allocations
OLDER_THRESHOLDS = (4, 20)  # default (10, 10): a smaller middle generation, fewer full collections


def freeze_after_startup() -> None:
    """Collect what start-up left behind, then exclude every survivor from later collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
