"""A reading's recordedAt: from 1900-01-01 to a day ahead of now, anything else is refused."""

import time

import pytest
from pydantic import ValidationError

from clinic.models.common import DAY_MS, MIN_EPOCH_MS
from tests.support.data import new_reading


@pytest.mark.parametrize("at", [MIN_EPOCH_MS, -1, 0, -315_619_200_000], ids=["1900", "1969", "1970", "1960"])
def test_times_from_1900_on_are_accepted(at):
    assert new_reading(at=at).recorded_at == at


def test_a_reading_up_to_a_day_ahead_is_accepted():
    at = now_ms() + DAY_MS - 60_000
    assert new_reading(at=at).recorded_at == at


def now_ms():
    return int(time.time() * 1000)


@pytest.mark.parametrize(("at", "why"), [
    (lambda: MIN_EPOCH_MS - 1, "before 1900"),
    (lambda: now_ms() + DAY_MS + 60_000, "a day in the future"),
    (lambda: now_ms() * 1000, "a day in the future"),  # microseconds sent as milliseconds
], ids=["1899", "a-day-and-a-minute-ahead", "microseconds"])
def test_absurd_times_are_refused_with_a_reason(at, why):
    with pytest.raises(ValidationError, match=why):
        new_reading(at=at())  # "now" taken when the test runs, not when it was collected
