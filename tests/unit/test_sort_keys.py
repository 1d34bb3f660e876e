"""Timestamp-first sort keys keep time order over every timestamp a model accepts, 1900 to 2286."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.models.common import MAX_EPOCH_MS, MIN_EPOCH_MS
from clinic.repositories import keys

times = st.integers(MIN_EPOCH_MS, MAX_EPOCH_MS)
ids = st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)


@given(times, times, ids, ids)
def test_string_order_of_sort_keys_is_time_order(a, b, id_a, id_b):
    if a < b:
        assert keys.ts(a) < keys.ts(b)
        assert keys.timed(a, id_a) < keys.timed(b, id_b)
        # and so for index keys that put a prefix before the timestamp
        assert keys.prefixed("Glucose", keys.timed(a, id_a)) < keys.prefixed("Glucose", keys.timed(b, id_b))
    elif a == b:
        assert keys.ts(a) == keys.ts(b)


@pytest.mark.parametrize(("earlier", "later"), [
    (-1, 0),  # the last millisecond of 1969 and the epoch
    (MIN_EPOCH_MS, MIN_EPOCH_MS + 1),
    (-86_400_000, -1),
    (MAX_EPOCH_MS - 1, MAX_EPOCH_MS),
])
def test_order_holds_at_the_edges(earlier, later):
    assert keys.ts(earlier) < keys.ts(later)


@given(times)
def test_every_key_sorts_inside_the_prefix_range_bounds(at):
    assert keys.LOWEST < keys.timed(at, "0") < keys.HIGH


@pytest.mark.parametrize("outside", [MAX_EPOCH_MS + 1, -(10**13)])
def test_a_timestamp_the_keys_cannot_order_is_refused_not_mangled(outside):
    with pytest.raises(ValueError, match="range"):
        keys.ts(outside)
