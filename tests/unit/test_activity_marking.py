"""Activity marking, the pure part: which days a summary commit marks for the nightly rollups,
and when it marks nothing (the cheap path)."""

from clinic.repositories import rollup_markers_table
from clinic.services.activity import REMEMBERED_DAYS, plan
from tests.support.nightly import NY, local_ms

USER = "0b6f2a9e-1111-4222-8333-444455556666"


def reading(day: str, hour: int = 9) -> dict:
    return {"recordedAt": local_ms(day, hour)}


def test_first_readings_of_the_day_mark_their_day_under_the_arrival_night():
    marking = plan(USER, [reading("2026-03-08", 8), reading("2026-03-08", 20)], None,
                   now_ms=local_ms("2026-03-08", 21), zone=NY)
    assert (marking.due, marking.days) == ("2026-03-08", ("2026-03-08",))
    assert marking.stats_fields == {"markedOn": "2026-03-08", "markedDays": ["2026-03-08"]}


def test_a_second_batch_for_an_already_marked_day_marks_nothing():
    first = plan(USER, [reading("2026-03-08")], None, now_ms=local_ms("2026-03-08", 10), zone=NY)
    stats = {"version": 3, **first.stats_fields}
    again = plan(USER, [reading("2026-03-08", 11)], stats, now_ms=local_ms("2026-03-08", 12), zone=NY)
    assert not again
    assert again.actions() == []
    assert again.stamp(stats) is stats


def test_a_late_reading_for_an_older_day_marks_that_day_again_tonight():
    stats = {"version": 7, "markedOn": "2026-03-10", "markedDays": ["2026-03-10"]}
    marking = plan(USER, [reading("2026-03-01")], stats, now_ms=local_ms("2026-03-10", 15), zone=NY)
    assert (marking.due, marking.days) == ("2026-03-10", ("2026-03-01",))
    assert marking.stats_fields["markedDays"] == ["2026-03-10", "2026-03-01"]


def test_a_new_arrival_day_starts_a_new_marker_even_for_a_day_marked_before():
    stats = {"version": 7, "markedOn": "2026-03-08", "markedDays": ["2026-03-08"]}
    marking = plan(USER, [reading("2026-03-08", 23)], stats, now_ms=local_ms("2026-03-09", 1), zone=NY)
    assert (marking.due, marking.days) == ("2026-03-09", ("2026-03-08",))
    assert marking.stats_fields == {"markedOn": "2026-03-09", "markedDays": ["2026-03-08"]}


def test_the_remembered_days_are_bounded_and_keep_the_most_recent():
    history = [reading(f"2026-01-{d:02d}") for d in range(1, 32)] + [reading(f"2026-02-{d:02d}") for d in range(1, 29)]
    marking = plan(USER, history, None, now_ms=local_ms("2026-03-01"), zone=NY)
    assert len(marking.days) == 59  # every day is marked ...
    assert len(marking.remembered) == REMEMBERED_DAYS  # ... the stats item remembers the newest
    assert marking.remembered[0] == "2026-02-28"


def test_the_marker_action_adds_days_to_a_set_on_the_users_shard_of_the_night():
    marking = plan(USER, [reading("2026-03-08"), reading("2026-03-07")], None,
                   now_ms=local_ms("2026-03-08", 18), zone=NY)
    (action,) = marking.actions()
    update = action["Update"]
    shard = rollup_markers_table.shard_of(USER, rollup_markers_table.configured_shards())
    assert update["Key"] == {"pk": {"S": f"2026-03-08#{shard:02d}"}, "sk": {"S": USER}}
    assert update["UpdateExpression"].startswith("ADD #days :days")
    assert update["ExpressionAttributeValues"][":days"] == {"SS": ["2026-03-07", "2026-03-08"]}
    assert int(update["ExpressionAttributeValues"][":exp"]["N"]) > local_ms("2026-05-30") // 1000  # TTL ~90 days


def test_users_spread_over_every_shard_of_any_count():
    for count in (1, 16, 20, 64):
        shards = {rollup_markers_table.shard_of(f"user-{i}", count) for i in range(2000)}
        assert shards == set(range(count))
