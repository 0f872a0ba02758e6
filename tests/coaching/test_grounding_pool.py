"""The indexed pool finds exactly the known figures a number matches, in pool order, as comparing with each would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.coaching.grounding_pool import Known, Pool, matches

UNITS = ["LUFS", "LU", "dB", "dBTP", "dBFS", "Hz", "kHz", "BPM", "%", "s"]
KINDS = ["LUFS", "dB", "Hz", "%", "BPM", "s", "/s"]
value = st.floats(min_value=-20000.0, max_value=20000.0, allow_nan=False) | st.integers(-50, 50).map(lambda i: i / 10)
known = st.builds(Known, value=value, kind=st.sampled_from(KINDS), source=st.just("x"), difference=st.booleans())


@settings(max_examples=300, deadline=None)
@given(pool=st.lists(known, max_size=60), numbers=st.lists(st.tuples(value, st.sampled_from(UNITS)), max_size=20))
def test_the_pool_finds_every_match_in_pool_order(pool: list[Known], numbers: list[tuple[float, str]]) -> None:
    indexed = Pool(pool)
    for v, unit in numbers:
        assert indexed.hits(v, unit) == [k for k in pool if matches(v, unit, k)]


def test_a_figure_at_the_edge_of_its_tolerance_is_found() -> None:
    pool = [Known(100.0, "Hz", "a"), Known(-3.0, "dB", "b", difference=True), Known(10000.0, "Hz", "c")]
    edges = [(101.0, "Hz", "a"), (3.15, "dB", "b"), (-2.85, "dB", "b"), (9.8, "kHz", "c"), (10.2, "kHz", "c")]
    for v, unit, source in edges:
        assert [k.source for k in Pool(pool).hits(v * (1000 if unit == "kHz" else 1), unit)] == [source]
