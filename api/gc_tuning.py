"""Garbage-collector settings for a serving process, applied once start-up is over.

Start-up leaves hundreds of thousands of long-lived objects (numpy, librosa, the schema, Tortoise's models). A full
collection walks all of them, and under load those walks took 100-160 ms every few seconds: the read p99. So:

- ``gc.freeze()`` moves everything alive at the end of start-up into the permanent generation, which no collection
  walks again;
- a larger first-generation threshold lets a request's short-lived objects die by reference counting before a
  collection looks at them, so young collections are rarer (each one is still short: the young generation only).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 5_000  # CPython's default is 700 allocations
OLDER_THRESHOLDS = (20, 20)  # default (10, 10): fewer promotions into the generations a full collection walks


def freeze_after_startup() -> None:
    """Collect what start-up left behind, then exclude every survivor from later collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
