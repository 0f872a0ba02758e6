"""Garbage-collector and GIL settings for a serving process, applied once start-up is over.

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

What the longest pauses walk (issue 12, measured with a callback that lists each generation at a collection's
start): not start-up leftovers (the unfrozen old generation held 0-6,500 objects, and no full collection fell in a
bench run, so a second ``gc.freeze()`` after warm-up would change nothing), but the requests in flight: at c=100,
17,700 (PostgreSQL) to 22,900 (SQLite) young objects, some 200 per request (coroutines, cells, closures,
graphql-core's execution state), whose walk cost 12-16 ms of CPU on the loaded 2-core bench machine. SQLite held
more because its requests queue on the one connection's lock after their executor is built. What made collections
*frequent* was cyclic garbage: graphql-core's executor keeps its resolver helpers as its own bound methods, so each
operation left ~40 objects (its context, variables, collected fields) for the collector. ``schema.fast_executor``
now builds those helpers through a weak reference: a session read leaves no cyclic garbage, and the count only
grows while the number of requests in flight does. Read bench, 3 runs each side by side, load average 8-13 on 2
cores: collections 15-23 -> 8-15 (SQLite) and 15-22 -> 5-6 (PostgreSQL); time in all 251-498 -> 125-198 ms and
200-305 -> 38-63 ms; longest pause in CPU 15-58 -> 15 ms and 15-26 -> 9-15 ms; in wall time (which on that
machine mostly measures waiting for a core) 99-196 -> 37-95 ms and 43-70 -> 25-41 ms. One run each at load 1.4-2.6,
where wall time was CPU time: SQLite 42 collections, longest 27.0 ms -> 5, 8.0 ms; PostgreSQL 38, 23.2 ms -> 6,
13.4 ms. A pause is still as long as the walk of the requests in flight, so ``api.graphql_view`` lets at most
``OPERATIONS_IN_FLIGHT`` operations execute at once (quiet machine: longest pause 7.5-21 ms -> 1.5-2.9 ms, 2
collections in a 15 s run). The thresholds were not changed again: any middle-generation collection walks every
survivor still in flight, whatever they are.

The GIL's switch interval is lowered from 5 ms to 1 ms. The event loop shares the interpreter with threads that
finish its work (aiosqlite's connection thread, grounding an answer on a worker thread): while the loop runs Python,
a thread whose query result is ready waits up to a whole interval for the GIL, and every request or token waiting
on that result waits with it (the convoy effect). Side by side on a quiet machine (load 0.9-1.2), 100 live streams:
p99 64.1 / 70.0 ms at 5 ms against 49.9 / 50.3 ms at 1 ms (longest 78.8 / 149.3 -> 57.5 / 58.8 ms); SQLite session
reads at c=10 (one run, at 0.5 ms): 539 -> 582 req/s, p99 28.5 -> 19.1 ms.
"""

from __future__ import annotations

import gc
import sys

YOUNG_THRESHOLD = 5_000  # CPython's default is 700 allocations
OLDER_THRESHOLDS = (4, 20)  # default (10, 10): a smaller middle generation, fewer full collections
SWITCH_INTERVAL_S = 0.001  # CPython's default is 5 ms


def tune_after_startup() -> None:
    """Collect what start-up left behind, exclude every survivor from later collections, and let threads take the
    GIL sooner."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
