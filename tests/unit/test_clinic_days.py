"""The clinic's local calendar: day boundaries follow the zone, DST changes included."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.services.days import day_bounds, days_between, local_day, parse_day

NY = ZoneInfo("America/New_York")
HOUR_MS = 3_600_000
# Zones with DST changes at midnight, half-hour shifts and a skipped calendar day.
ZONES = ["America/New_York", "America/Havana", "America/Santiago", "Asia/Beirut", "Australia/Lord_Howe",
         "Pacific/Apia", "Europe/London", "Asia/Kolkata", "America/Sao_Paulo"]


def test_spring_forward_day_in_new_york_lasts_23_hours():
    start, end = day_bounds(date(2026, 3, 8), NY)
    assert end - start == 23 * HOUR_MS
    assert datetime.fromtimestamp(start / 1000, UTC) == datetime(2026, 3, 8, 5, tzinfo=UTC)  # 00:00 EST
    assert datetime.fromtimestamp(end / 1000, UTC) == datetime(2026, 3, 9, 4, tzinfo=UTC)  # 00:00 EDT


def test_fall_back_day_in_new_york_lasts_25_hours():
    start, end = day_bounds(date(2026, 11, 1), NY)
    assert end - start == 25 * HOUR_MS
    assert datetime.fromtimestamp(start / 1000, UTC) == datetime(2026, 11, 1, 4, tzinfo=UTC)  # 00:00 EDT
    assert datetime.fromtimestamp(end / 1000, UTC) == datetime(2026, 11, 2, 5, tzinfo=UTC)  # 00:00 EST


def test_both_one_thirty_readings_of_the_fall_back_night_belong_to_that_day():
    first = int(datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=0).timestamp() * 1000)
    second = int(datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1).timestamp() * 1000)
    assert second - first == HOUR_MS
    assert local_day(first, NY) == local_day(second, NY) == date(2026, 11, 1)


def test_the_last_hour_of_the_fall_back_day_is_not_the_next_day():
    # 24 hours after midnight is 23:00 EST, still Nov 1 (a fixed 24-hour day would say Nov 2)
    start, _ = day_bounds(date(2026, 11, 1), NY)
    assert local_day(start + 24 * HOUR_MS, NY) == date(2026, 11, 1)


def test_a_day_the_zone_skipped_has_no_instants():
    start, end = day_bounds(date(2011, 12, 30), ZoneInfo("Pacific/Apia"))  # Samoa crossed the date line
    assert start == end


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), st.integers(0, 2_100_000_000_000))
def test_an_instant_is_inside_exactly_the_bounds_of_its_local_day(zone_name, instant):
    zone = ZoneInfo(zone_name)
    day = local_day(instant, zone)
    start, end = day_bounds(day, zone)
    assert start <= instant < end
    assert day_bounds(day - timedelta(days=1), zone)[1] == start  # days tile time: no gap, no overlap
    assert local_day(start, zone) == day and local_day(end, zone) > day


def test_parse_day_accepts_only_calendar_days():
    assert parse_day("2026-03-08") == date(2026, 3, 8)
    for bad in ("2026-3-8", "2026-02-30", "20260308", "2026-03-08T00:00"):
        with pytest.raises(ValueError, match=r"YYYY-MM-DD|Invalid|day is out of range"):
            parse_day(bad)


def test_days_between_includes_both_ends_and_is_empty_when_reversed():
    assert days_between(date(2026, 2, 28), date(2026, 3, 1)) == [date(2026, 2, 28), date(2026, 3, 1)]
    assert days_between(date(2026, 3, 2), date(2026, 3, 1)) == []
