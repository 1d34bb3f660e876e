"""BiomarkerSummary merging: the latest reading per biomarker and the status counters."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.services.summary import merge, recompute

USER = "user-1"


def reading(name, at, status="optimal", rid=None, value=1.0):
    return {"name": name, "recordedAt": at, "readingId": rid or f"r{at}", "status": status, "value": value,
            "unit": "mg/dL", "category": "metabolic", "source": "lab.test"}


def apply(state, readings):
    """Merge into a (stats, latest) state the way the record path commits."""
    stats, latest = state
    new_stats, changed = merge(USER, stats, latest, readings)
    latest = {**latest, **{item["name"]: item for item in changed}}
    return (new_stats if changed else stats), latest


def counters(stats):
    return {k: stats[k] for k in ("total", "optimal", "inRange", "outOfRange", "asOf")} if stats else None


def test_first_reading_creates_stats_and_latest():
    stats, changed = merge(USER, None, {}, [reading("Glucose", 1000, "out-of-range")])
    assert counters(stats) == {"total": 1, "optimal": 0, "inRange": 0, "outOfRange": 1, "asOf": 1000}
    assert [c["sk"] for c in changed] == ["latest#Glucose"]


def test_older_reading_arriving_late_does_not_replace_the_latest():
    # Given a stored latest glucose at t=2000 that is optimal
    state = apply((None, {}), [reading("Glucose", 2000, "optimal")])
    # When an out-of-range reading from t=1000 arrives late
    _, changed = merge(USER, state[0], state[1], [reading("Glucose", 1000, "out-of-range")])
    # Then nothing changes: the stats still describe the t=2000 reading
    assert changed == []
    assert counters(apply(state, [reading("Glucose", 1000, "out-of-range")])[0]) == counters(state[0])


def test_newer_reading_moves_the_counter_from_old_status_to_new():
    state = apply((None, {}), [reading("Glucose", 1000, "optimal"), reading("LDL", 1000, "in-range")])
    stats, _ = apply(state, [reading("Glucose", 2000, "out-of-range")])
    assert counters(stats) == {"total": 2, "optimal": 0, "inRange": 1, "outOfRange": 1, "asOf": 2000}


def test_same_timestamp_is_ordered_by_reading_id_not_by_arrival():
    a, b = reading("Glucose", 1000, "optimal", rid="a"), reading("Glucose", 1000, "out-of-range", rid="b")
    one = apply(apply((None, {}), [a]), [b])
    other = apply(apply((None, {}), [b]), [a])
    assert one[1]["Glucose"]["readingId"] == other[1]["Glucose"]["readingId"] == "b"


def test_version_increments_with_every_commit():
    stats, _ = merge(USER, None, {}, [reading("Glucose", 1000)])
    stats2, _ = merge(USER, stats, {}, [reading("LDL", 1000)])
    assert (stats["version"], stats2["version"]) == (1, 2)


names = st.sampled_from(["Glucose", "LDL Cholesterol", "HDL Cholesterol", "TSH", "Ferritin"])
statuses = st.sampled_from(["optimal", "in-range", "out-of-range"])
readings_strategy = st.lists(
    st.builds(reading, names, st.integers(0, 50), statuses, st.sampled_from(["a", "b", "c"])), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(readings_strategy, st.randoms(use_true_random=False), st.integers(1, 6))
def test_any_split_order_and_replay_equals_a_recompute_from_scratch(readings, rnd, parts):
    # Readings with the same (name, time, id) are the same reading: make their contents agree.
    canonical = {}
    for r in readings:
        canonical.setdefault((r["name"], r["recordedAt"], r["readingId"]), r)
    readings = list(canonical.values())
    # Given the readings split into batches, shuffled, with some batches replayed (retries)
    shuffled = readings[:]
    rnd.shuffle(shuffled)
    batches = [shuffled[i::parts] for i in range(parts)]
    batches += rnd.sample(batches, k=min(2, len(batches)))
    state = (None, {})
    for batch in batches:
        state = apply(state, batch)
    # Then the result equals a recompute over the distinct readings
    expected_stats, expected_latest = recompute(USER, readings)
    assert counters(state[0]) == (counters(expected_stats) if readings else None)
    assert state[1] == {item["name"]: item for item in expected_latest}


def test_recompute_counts_each_biomarker_once_however_many_readings():
    many = [reading("Glucose", t, random.Random(t).choice(["optimal", "out-of-range"])) for t in range(1000)]
    stats, latest = recompute(USER, many)
    assert stats["total"] == 1 and len(latest) == 1
