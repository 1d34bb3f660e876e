"""The pure parts of the nightly job: a day's rollup, and reconciling a summary against readings."""

from hypothesis import given
from hypothesis import strategies as st

from clinic.repositories import keys
from clinic.services.reconcile import counters, reconcile
from clinic.services.rollups import daily
from clinic.services.summary import recompute

USER = "0b6f2a9e-1111-4222-8333-444455556666"


def reading(name, value, at, rid=None, status="optimal"):
    return {"name": name, "value": value, "unit": "U", "status": status, "category": "metabolic",
            "recordedAt": at, "readingId": rid or f"r{at}-{value}", "source": "lab.test"}


# --- daily rollup -----------------------------------------------------------------------------


def test_a_day_rolls_up_each_biomarker_separately():
    items = daily(USER, "2026-03-08", [reading("Glucose", 90, 1), reading("Glucose", 110, 3),
                                       reading("Glucose", 70, 2), reading("Heart Rate", 60, 5)])
    by_name = {i["name"]: i for i in items}
    glucose = by_name["Glucose"]
    assert (glucose["min"], glucose["max"], glucose["count"], glucose["avg"]) == (70, 110, 3, 90.0)
    assert (glucose["last"], glucose["lastAt"]) == (110, 3)  # the latest by time, not the largest
    assert glucose["sk"] == "Glucose#2026-03-08" and glucose["userId"] == USER
    assert by_name["Heart Rate"]["count"] == 1


def test_last_breaks_a_time_tie_by_reading_id_like_the_summary():
    items = daily(USER, "2026-03-08", [reading("Glucose", 90, 5, rid="b"), reading("Glucose", 80, 5, rid="a")])
    assert items[0]["last"] == 90


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40), st.randoms())
def test_the_rollup_is_the_same_whatever_the_order_of_the_readings(values, rnd):
    rows = [reading("Glucose", v, 1000 + i, rid=f"r{i}") for i, v in enumerate(values)]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert daily(USER, "2026-03-08", rows) == daily(USER, "2026-03-08", shuffled)


def test_a_day_without_readings_has_no_rollups():
    assert daily(USER, "2026-03-08", []) == []


# --- reconciliation ---------------------------------------------------------------------------


def summary_of(readings):
    stats, latest = recompute(USER, readings)
    return [{**stats, "userId": USER, "sk": keys.STATS_SK}, *latest]


def test_a_summary_that_agrees_with_the_readings_needs_no_repair():
    rows = [reading("Glucose", 90, 1), reading("Glucose", 95, 2, status="in-range"), reading("LDL", 60, 3)]
    assert reconcile(USER, summary_of(rows), rows) is None


def test_a_reading_the_summary_never_merged_is_repaired_with_its_counters():
    # Given a summary built from older readings only (the newest glucose was stored, never merged)
    older = [reading("Glucose", 90, 1), reading("LDL", 60, 3)]
    missed = reading("Glucose", 250, 9, status="out-of-range")
    items = summary_of(older)
    # When it is reconciled against the day's readings
    repair = reconcile(USER, items, [*older, missed])
    # Then the latest glucose and the counters are fixed, and the version check uses what was read
    assert [i["readingId"] for i in repair.latest] == [missed["readingId"]]
    assert (repair.stats["optimal"], repair.stats["outOfRange"], repair.stats["asOf"]) == (1, 1, 9)
    assert repair.expected_version == items[0]["version"] and repair.stats["version"] == items[0]["version"] + 1
    assert repair.items_repaired == 2


def test_a_latest_item_that_disagrees_with_its_reading_is_rewritten():
    rows = [reading("Glucose", 90, 1)]
    items = summary_of(rows)
    items[1] = {**items[1], "value": 91}  # drifted copy
    repair = reconcile(USER, items, rows)
    assert repair.latest[0]["value"] == 90 and repair.items_repaired == 1


def test_counters_that_disagree_with_the_latest_items_are_recomputed():
    rows = [reading("Glucose", 90, 1), reading("LDL", 60, 3, status="in-range")]
    items = summary_of(rows)
    items[0] = {**items[0], "optimal": 5, "total": 6}
    repair = reconcile(USER, items, [])
    assert repair.latest == [] and repair.items_repaired == 1
    assert {k: repair.stats[k] for k in ("total", "optimal", "inRange")} == {"total": 2, "optimal": 1, "inRange": 1}


def test_a_summary_newer_than_the_days_readings_is_left_alone():
    today = [reading("Glucose", 90, 100)]
    items = summary_of(today)
    last_week = [reading("Glucose", 300, 5, status="out-of-range")]  # a late reading for an old day
    assert reconcile(USER, items, last_week) is None


def test_readings_of_a_user_without_any_summary_create_it():
    rows = [reading("Glucose", 90, 1)]
    repair = reconcile(USER, [], rows)
    assert repair.expected_version is None and repair.stats["total"] == 1 and repair.items_repaired == 2


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 50),
                          st.sampled_from(["optimal", "in-range", "out-of-range"])), max_size=30),
       st.integers(0, 30))
def test_after_any_repair_the_summary_equals_a_recompute(rows, merged_prefix):
    readings = [reading(n, float(i), at, rid=f"r{i}", status=s) for i, (n, at, s) in enumerate(rows)]
    # Given a summary that merged only some of the readings
    items = summary_of(readings[:merged_prefix]) if merged_prefix else []
    repair = reconcile(USER, items, readings)
    _, latest = recompute(USER, readings)
    if repair is None:
        fixed = items
    else:
        by_sk = {i["sk"]: i for i in items}
        by_sk.update({i["sk"]: i for i in repair.latest})
        by_sk[keys.STATS_SK] = {**repair.stats, "sk": keys.STATS_SK}
        fixed = list(by_sk.values())
    got_latest = sorted((i for i in fixed if i["sk"] != keys.STATS_SK), key=lambda i: i["sk"])
    assert got_latest == sorted(latest, key=lambda i: i["sk"])
    if readings:
        got_stats = next(i for i in fixed if i["sk"] == keys.STATS_SK)
        assert {k: got_stats[k] for k in counters([])} == counters(latest)


def test_counters_of_no_items_are_zero():
    assert counters([]) == {"total": 0, "optimal": 0, "inRange": 0, "outOfRange": 0, "asOf": None}
