"""Hot partitions, found by simulation: the peak hour of capacity/load_shape.yaml, at 1M and at 10M
patients, driven through the real handlers and write paths in front of the throughput front
(tests/support/throttle.py), which enforces DynamoDB's per-partition limits on every table and
index. A key design that would run hot shows up as a throttled partition.

The population is scaled to what this machine drives in a test (``SCALE``: 1/k of the patients and
staff, each at their own full rate, for ``SECONDS`` simulated seconds); partitions the population
shares get 1/k of the limits, so their load ratio is the real one."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from capacity.shape import PeakRates, peak_rates
from clinic import aws
from clinic.repositories import audit_table as audit
from clinic.repositories import connections_table as connections
from clinic.repositories import users_table as users
from clinic.services import audit as auditing
from clinic.services import ingest
from clinic.services.readings import Outcome
from clinic_tools import template
from tests.support import env
from tests.support.api import call
from tests.support.data import NOW_MS, ingest_reading
from tests.support.throttle import PartitionThrottle, SimulatedClock, simulated_sleeps

SECONDS = 6.0
# 1/k of the population: about 30 calls per simulated second at either size.
SCALE = {1_000_000: 10, 10_000_000: 100}
PATIENT_POOL = 400  # distinct patients the simulated calls are spread over (each far below its limits)
TABLES = env.table_names()
PATIENT_ROUTES = ["GetBiomarkerStatsFunction", "ListLatestBiomarkersFunction", "ListAppointmentsFunction",
                  "ListMedicationsFunction"]


@dataclass
class Outcomes:
    calls: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)


def schedule(rates: PeakRates, scale: int, rnd: random.Random) -> list[tuple[float, str]]:
    """Every call of the simulated window, in time order: Poisson arrivals per kind at its peak rate / scale."""
    per_second = {"patient": rates.patient_calls, "sign_in": rates.sign_ins, "staff_read": rates.staff_reads,
                  "staff_list": rates.staff_list_pages, "sensor_batch": rates.sensor_batches,
                  "live_connect": rates.page_loads}
    events = []
    for kind, rate in per_second.items():
        t = rnd.expovariate(rate / scale)
        while t < SECONDS:
            events.append((t, kind))
            t += rnd.expovariate(rate / scale)
    return sorted(events)


def simulate(invoke: Any, make_front: Any, patients: int, rnd: random.Random) -> tuple[PartitionThrottle, Outcomes]:
    rates, scale = peak_rates(patients=patients), SCALE[patients]
    pool = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(PATIENT_POOL)]
    for user_id in pool:  # (set-up, before the front: registered patients already exist)
        users.put({"userId": user_id, "email": f"{user_id}@example.test", "role": "patient", "createdAt": NOW_MS})
    staff = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(max(1, rates.staff // scale))]
    front = make_front(patients)
    random.seed(19)  # botocore's and the write paths' backoff jitter: the same run every time
    out = Outcomes()
    batch_no = 0
    for t, kind in schedule(rates, scale, rnd):
        front.clock.at(t)
        out.calls[kind] += 1
        patient = rnd.choice(pool)
        try:
            if kind == "patient":
                ok = call(invoke, rnd.choice(PATIENT_ROUTES), sub=patient).status == 200
            elif kind == "sign_in":
                auditing.record_sign_in(patient, "TokenGeneration_Authentication")
                ok = True
            elif kind == "staff_read":
                ok = call(invoke, "GetPatientStatsFunction", sub=rnd.choice(staff), admin=True,
                          path={"userId": patient}).status == 200
            elif kind == "staff_list":
                ok = call(invoke, "ListPatientsFunction", sub=rnd.choice(staff), admin=True,
                          query={"limit": rates.patients_per_list_page}).status == 200
            elif kind == "sensor_batch":
                batch_no += 1
                batch = [ingest_reading(patient, "Heart Rate", 60 + i, NOW_MS - i * 60_000, unit="bpm",
                                        rid=f"{patient}-{batch_no}-{i}") for i in range(rates.readings_per_batch)]
                ok = all(r.outcome == Outcome.ACCEPTED for r in ingest.ingest(batch))
            else:
                connections.put(patient, uuid.uuid4().hex, expires_at=int(NOW_MS / 1000) + 7200)
                ok = True
        except ClientError:
            ok = False
        if not ok:
            out.failures[kind] += 1
    return front, out


@pytest.fixture
def front(tables, monkeypatch, instant_retries):
    clock = SimulatedClock()
    simulated_sleeps(monkeypatch, clock)
    throttles = []

    def make(patients: int) -> PartitionThrottle:
        throttle = PartitionThrottle(aws.dynamodb(), template.table_definitions(env.TABLE_PREFIX),
                                     scale=SCALE[patients], clock=clock)
        throttles.append(throttle)
        return throttle

    yield make
    for throttle in throttles:
        throttle.detach()


def utilisation(front: PartitionThrottle) -> dict[tuple[str, str], tuple[str, float]]:
    """Per table and index: the hottest partition key and its write load as a share of its limit."""
    hottest: dict[tuple[str, str], tuple[str, float]] = {}
    for partition, units in front.usage.write_units.items():
        share = units / SECONDS / front.limit(partition, "write")
        if share > hottest.get(partition[:2], ("", 0.0))[1]:
            hottest[partition[:2]] = (partition[2], share)
    return hottest


@pytest.mark.parametrize("patients", [1_000_000, 10_000_000])
def test_the_peak_hour_runs_hot_nowhere_at_1m_or_10m_patients(invoke, front, patients):
    # Given the throughput front at the population's scale,
    # When the peak hour's calls of every kind arrive for the simulated window
    throttle, out = simulate(invoke, front, patients, random.Random(19))
    # Then no request was throttled and every call succeeded
    assert sum(out.calls.values()) > 150 and set(out.calls) == {"patient", "sign_in", "staff_read", "staff_list",
                                                                "sensor_batch", "live_connect"}
    assert not throttle.usage.throttled and not out.failures
    # And no partition of any table or index took more than its share of a partition's writes
    hottest = utilisation(throttle)
    assert (TABLES["AuditTable"], "ByDayShard") in hottest and (TABLES["RollupMarkersTable"], "") in hottest
    assert max(share for _, share in hottest.values()) < 1.0


def test_one_audit_partition_per_day_runs_hot_at_10m_patients(invoke, front, monkeypatch):
    # Given the audit index as it was: every record of a day in one partition
    monkeypatch.setattr(audit, "SHARDS", 1)
    # When the 10M peak hour runs
    throttle, _ = simulate(invoke, front, 10_000_000, random.Random(19))
    # Then that partition throttles the audited requests (index back-pressure on the table): over
    # this short window botocore's retries still get most through, late; an hour of it does not
    day = audit.day_of(NOW_MS)
    refusals = throttle.usage.throttled[(TABLES["AuditTable"], "ByDayShard", f"{day}#00")]
    assert refusals >= 10 and {p[:2] for p in throttle.usage.throttled} == {(TABLES["AuditTable"], "ByDayShard")}
    _, share = utilisation(throttle)[(TABLES["AuditTable"], "ByDayShard")]
    assert share > 1.0  # (retries push writes past the window: more than a partition's worth in it)
