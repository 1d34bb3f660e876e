"""Hot partitions, found by simulation: the peak of the workload model (capacity/workload.yaml
through capacity/model.py: every operation at the rate `make capacity` gives it), at 1M and at
10M patients, driven through the real handlers and write paths in front of the throughput front
(tests/support/throttle.py), which enforces DynamoDB's per-partition limits on every table and
index. A key design that would run hot shows up as a throttled partition.

tests/support/peak_hour.py says how each operation is made and at which scale. ``SCALE``: the
people (patients, staff) are simulated at 1/2 of their population at 1M and 1/20 at 10M, the
pipelines (sensor uploads, lab panels, their stream records) at 1/10 and 1/100, each person and
each wearer at their own full rate, for ``SECONDS`` (6) simulated seconds; a partition the
population shares gets 1/k of the limits for the k of the callers that reach it, so its load ratio
is the real one. The model's pipelines make 12 times the people's calls and uploads are the
costliest to simulate, hence their larger k: a window holds about 225 people's calls and 290
uploads at either size. With moto's transactions backing up items rather than whole tables and
its Queries looking at one partition (tests/support/moto_speed.py), the file takes about 30 s on
the 2-core dev box."""

from __future__ import annotations

import random
from typing import Any

import pytest

from capacity import model
from clinic import aws
from clinic.repositories import audit_table, rollup_markers_table
from clinic_tools import template
from tests.support import env, peak_hour
from tests.support.data import NOW_MS
from tests.support.moto_speed import item_local_transactions, partition_local_queries
from tests.support.throttle import PartitionThrottle, SimulatedClock, simulated_sleeps

TABLES = env.table_names()
LOGICAL = {name: logical for logical, name in TABLES.items()}


@pytest.fixture
def peak(tables, invoke, monkeypatch, instant_retries) -> Any:
    """``peak(workload, only=..., seconds=..., marker_shards=...)``: one simulated window of the
    workload's peak (``only``: those operations alone), with the rollup marker shards the model
    derives for it unless told otherwise; returns the front and the outcomes."""
    clock = SimulatedClock()
    simulated_sleeps(monkeypatch, clock)
    peak_hour.stand_ins(monkeypatch)
    fronts: list[PartitionThrottle] = []

    def attach(workload: str) -> PartitionThrottle:
        scale, scales = peak_hour.front_scales(workload)
        front = PartitionThrottle(aws.dynamodb(), template.table_definitions(env.TABLE_PREFIX), scale=scale,
                                  scales=scales, clock=clock)
        fronts.append(front)
        return front

    def run(workload: str, *, only: set[str] | None = None, seconds: float = peak_hour.SECONDS,
            marker_shards: int | None = None) -> tuple[PartitionThrottle, peak_hour.Outcomes]:
        shards = marker_shards or model.build(workload).marker_shards
        monkeypatch.setattr(rollup_markers_table, "configured_shards", lambda: shards)
        return peak_hour.simulate(invoke, attach, workload, random.Random(19), only=only, seconds=seconds)

    with item_local_transactions(), partition_local_queries():
        yield run
    for front in fronts:
        front.detach()


def touched(front: PartitionThrottle) -> set[tuple[str, str]]:
    """(table logical id, index or "") of every table and index the window read or wrote."""
    return {(LOGICAL[p[0]], p[1]) for p in [*front.usage.write_units, *front.usage.read_units]}


@pytest.mark.parametrize("workload", ["1M", "10M"])
def test_the_peak_runs_hot_nowhere_at_1m_or_10m_patients(peak, workload):
    # Given the throughput front at the workload's scale,
    # When every operation of the model's peak arrives at its rate for the simulated window
    throttle, out = peak(workload)
    # Then every operation expected a few times in the window was made, and every call succeeded
    # without a throttled request
    frequent = {op for who, op in peak_hour.rates(workload)
                if peak_hour.calls_per_s(workload, who, op) * peak_hour.SECONDS >= 5}
    assert frequent <= set(out.calls) and sum(out.calls.values()) > 400
    assert not throttle.usage.throttled and not out.failures
    # (the markers, which only the pipelines reach, at the pipelines' scale)
    markers = (TABLES["RollupMarkersTable"], "", "x")
    assert throttle.limit(markers, "write") == 1000 / peak_hour.SCALE[workload].pipelines
    # And each call reached the shared partitions its measured unit cost says it does
    reached = touched(throttle)
    for op in out.calls:
        assert peak_hour.shared_reach({op}) <= reached, op
    # And no partition of any table or index took more than its share of a partition's units
    hottest = peak_hour.utilisation(throttle)
    assert (TABLES["AuditTable"], "ByDayShard") in hottest and (TABLES["RollupMarkersTable"], "") in hottest
    assert max(share for _, share in hottest.values()) < 1.0
    assert max(share for _, share in peak_hour.utilisation(throttle, kind="read").values()) < 1.0


@pytest.mark.parametrize("workload", ["1M", "10M"])
def test_the_refill_queue_and_the_reminder_shards_take_their_peak(peak, workload):
    # Given the operations that reach the staff's refill queue (ByQueueShard) and the reminders
    # still to send (ByReminderShard), rare enough that a 6-second window holds a few of them:
    # bookings, and staff changes (a confirmation enters the index; the measured unit cost, a
    # confirmation of a confirmed appointment, does not)
    sparse = (peak_hour.reaching(workload, "RefillRequestsTable", "ByQueueShard")
              | peak_hour.reaching(workload, "AppointmentsTable", "ByReminderShard")
              | {"PATCH /admin/patients/{userId}/appointments/{id}"})
    # When they arrive at their peak rates for a minute
    throttle, out = peak(workload, only=sparse, seconds=60)
    # Then every one was made, succeeded and reached both indexes, far under their limits
    assert set(out.calls) == sparse and sum(out.calls.values()) > 20 and not out.failures, out
    assert not throttle.usage.throttled
    hottest = peak_hour.utilisation(throttle, seconds=60)
    for index in (("RefillRequestsTable", "ByQueueShard"), ("AppointmentsTable", "ByReminderShard")):
        _, share = hottest[(TABLES[index[0]], index[1])]
        assert 0 < share < 0.1


def test_rollup_markers_in_one_partition_a_night_run_hot_at_10m_patients(peak):
    # Given the rollup markers as one partition a night, and the uploads that write them
    assert peak_hour.reaching("10M", "RollupMarkersTable") == {peak_hour.FIRST_UPLOAD}
    # When the 10M peak's first uploads of the day arrive for 3 seconds
    throttle, out = peak("10M", only={peak_hour.FIRST_UPLOAD}, seconds=3, marker_shards=1)
    # Then that partition throttles the uploads' transactions (nothing of them applied): the write
    # path's retries get some through late and report the rest failed, for SQS to deliver again
    due = rollup_markers_table.partition(peak_hour.due_day(), 0)
    assert throttle.usage.throttled[(TABLES["RollupMarkersTable"], "", due)] >= 100
    assert {p[:2] for p in throttle.usage.throttled} == {(TABLES["RollupMarkersTable"], "")}
    assert out.failures[peak_hour.FIRST_UPLOAD] > out.calls[peak_hour.FIRST_UPLOAD] / 3
    _, share = peak_hour.utilisation(throttle, seconds=3)[(TABLES["RollupMarkersTable"], "")]
    assert share > 1.0  # (retries push writes past the window: more than a partition's worth in it)


def test_one_audit_partition_per_day_runs_hot_at_the_10m_peak(peak, monkeypatch):
    # Given the audit index as it was before ByDayShard: every record of a day in one partition
    monkeypatch.setattr(audit_table, "SHARDS", 1)
    # When every operation that writes an audit record arrives at the 10M peak for 30 seconds
    # (a list or name-search page is 20 records: a longer window than the others, for a steady figure)
    throttle, out = peak("10M", only=peak_hour.reaching("10M", "AuditTable", "ByDayShard"), seconds=30)
    # Then that partition takes the whole day's records, half a partition on average, and the
    # pages' bursts of 20 records are throttled (the write path's retries got every call through
    # here: docs/decisions.md 47); the model's four shards take the same peak without a throttle
    # (test_the_peak_runs_hot_nowhere_at_1m_or_10m_patients)
    day = f"{audit_table.day_of(NOW_MS)}#00"
    assert set(throttle.usage.throttled) == {(TABLES["AuditTable"], "ByDayShard", day)}
    assert throttle.usage.throttled[(TABLES["AuditTable"], "ByDayShard", day)] >= 20 and not out.failures
    hottest, share = peak_hour.utilisation(throttle, seconds=30)[(TABLES["AuditTable"], "ByDayShard")]
    assert hottest == day and 0.4 < share < 0.7
