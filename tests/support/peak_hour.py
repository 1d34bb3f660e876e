"""The workload model's peak, as the hot-partition simulation drives it
(tests/integration/test_hot_partitions.py, docs/decisions.md 47).

Rates come from the model and nowhere else: ``capacity.load_mix.peak_rates`` gives every operation
of a named workload (1M, 10M) at its peak rate a second, by who makes it: the figures `make
capacity` adds up and the load kit sends. Each operation is made as capacity/measure.py measured
its unit cost, through the function's real handler: API routes with an API Gateway event,
sign-ins and refreshes through the pre-token trigger, uploads and lab panels through the ingest
function (from the queue, by invocation), live sessions through $connect and $disconnect, stream
records through the fan-out. ``EXCUSED`` names the few operations the simulation does not make,
each with its reason, and ``NOT_LOAD_BEARING`` the indexes of the template none of the others
reaches (tests/unit/test_peak_hour_rates.py checks both against the model and the template).

Scale: the pipelines (the model's ``who`` sensor and lab: uploads, lab panels and their stream
records) make about 12 times as many calls as the people (patients and staff: 973 a second
against 78 at 1M), uploads are the costliest calls to simulate, and they reach one shared table
(the rollup markers) that no person's call reaches. So each kind of caller is simulated at its own
fraction of its population (``SCALE``), each person and each wearer at their own full rate, and a
partition the population shares gets DynamoDB's limits divided by the k of the callers that reach
it (the front's ``scale`` and ``scales``): every load ratio is the real one. The unit costs say
which shared partitions each operation reaches; the unit test checks that none is reached by both
kinds. The 10M workload is the 1M one with ten times the patients and k is ten times larger too,
so a window holds the same calls at either size against a tenth of the limits.
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from capacity import model
from capacity.load_mix import peak_rates
from clinic import aws, clock
from clinic.repositories import (
    appointments_table,
    connections_table,
    keys,
    medications_table,
    patient_names_table,
    refill_requests_table,
    users_table,
)
from clinic.services import days, live
from clinic_tools import template
from tests.support import env
from tests.support.api import call
from tests.support.data import DAY_MS, NOW_MS
from tests.support.events import _load, ingest_invoke_event, sqs_event, stream_record, ws_event
from tests.support.moto_speed import bulk_put
from tests.support.throttle import PartitionThrottle

SECONDS = 6.0  # simulated seconds of the peak


@dataclass(frozen=True)
class Scale:
    """Each kind of caller is simulated at 1/k of its population."""

    people: int
    pipelines: int


# Half the people and a tenth of the wearers at 1M, a twentieth and a hundredth at 10M: a 6-second
# window holds about 225 people's calls and 290 uploads, and takes a few seconds to run.
SCALE = {"1M": Scale(people=2, pipelines=10), "10M": Scale(people=20, pipelines=100)}
PIPELINES = ("sensor", "lab")  # the model's ``who`` of the pipelines' operations
# Operations that reach their function in batches, as capacity/measure.py measured them: one
# simulated call makes this many (at that many times fewer calls a second).
BATCHED = {"stream record, owner not connected": 20}

UPLOADS_PER_BATCH = 33  # the SQS batch the ingest unit cost is measured with (capacity/settings.py)
PATIENTS = 400  # registered patients the people's calls are spread over (each far below its limits)
WEARER_SHARE = 0.2  # of them, whose sensors already uploaded today (workload.yaml: wearing_share)
FUTURE = NOW_MS + 30 * DAY_MS  # a booking's start: every booking of the window on one day (the worst case)
SENSOR, SENSOR_SOURCE = "Heart Rate", "device.sim"
# The patients' names: common US given and family names, so that the name search's partitions (the
# first two letters of a word) are as lopsided as a clinic's (here "jo": John, Joseph, Johnson, Jones).
GIVEN = ("John", "Joseph", "Mary", "Maria", "James", "Linda", "Robert", "Patricia", "Michael", "Jennifer")
FAMILY = ("Johnson", "Jones", "Smith", "Williams", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Lopez")
FIRST_UPLOAD = "sensor upload, the user's first today"  # the model's: the one that marks the night
PANEL = (("Glucose", "mg/dL", 90.0), ("LDL Cholesterol", "mg/dL", 90.0), ("HDL Cholesterol", "mg/dL", 60.0),
         ("Sodium", "mmol/L", 140.0), ("TSH", "mIU/L", 2.0))

# Operations of the model the simulation does not make.
EXCUSED = {
    "nightly rollup, per user": (
        "runs in the night's window (02:00-04:00 clinic time), not the peak; it reads and writes only "
        "the rolled-up user's partitions (Biomarkers, Rollups, BiomarkerSummary), and the planner "
        "reads one Query per marker shard a night"),
    "PUT /admin/users/{userId}/role": (
        "needs a Cognito user pool the simulation has none of; one audit record each, 0.1% of the "
        "staff's actions"),
    "PUT /admin/users/{userId}/access": (
        "needs a Cognito user pool the simulation has none of; one audit record each, 0.1% of the "
        "staff's actions"),
}

# Indexes of the template (global or local) that no driven operation reaches, and why that is safe.
NOT_LOAD_BEARING = {
    ("AuditTable", "ByDay"): (
        "superseded by ByDayShard: new records carry no auditDay, so it receives no writes; dropped "
        "with auditDay in the release after the shard backfill (docs/decisions.md 47)"),
}


def rates(workload: str) -> dict[tuple[str, str], float]:
    """(who, operation) -> a second at the peak, for every operation the simulation drives."""
    return {key: rate for key, rate in peak_rates(workload).items() if key[1] not in EXCUSED}


def scale_of(workload: str, who: str) -> int:
    scale = SCALE[workload]
    return scale.pipelines if who in PIPELINES else scale.people


def shared_reach(operations: Iterable[str]) -> set[tuple[str, str]]:
    """(table, index or "") of every shared partition the unit costs say ``operations`` reach."""
    costs = model.load_unit_costs()
    return {(u["table"], u["index"] or "") for op in operations for u in costs[op]["dynamodb_units"]
            if u["partition"].startswith("shared:")}


def reaching(workload: str, table: str, index: str = "") -> set[str]:
    """The operations of the simulation whose unit costs reach a shared partition of ``table``/``index``."""
    costs = model.load_unit_costs()
    return {op for _, op in rates(workload) if any(
        u["table"] == table and (u["index"] or "") == index and u["partition"].startswith("shared:")
        for u in costs[op]["dynamodb_units"])}


def pipeline_tables(workload: str) -> set[tuple[str, str]]:
    return shared_reach(op for who, op in rates(workload) if who in PIPELINES)


def calls_per_s(workload: str, who: str, op: str) -> float:
    """Simulated calls a simulated second of ``op`` by ``who``: its peak rate over its caller's k
    (and over its batch)."""
    return rates(workload)[(who, op)] / scale_of(workload, who) / BATCHED.get(op, 1)


def schedule(workload: str, rnd: random.Random, *, only: set[str] | None = None,
             seconds: float = SECONDS) -> list[tuple[float, str, str]]:
    """Every call of the simulated window in time order, (t, who, operation): Poisson arrivals of
    each operation at its peak rate over its caller's scale (``only``: those operations alone)."""
    events = []
    for who, op in sorted(rates(workload)):
        if only is not None and op not in only:
            continue
        per_s = calls_per_s(workload, who, op)
        t = rnd.expovariate(per_s)
        while t < seconds:
            events.append((t, who, op))
            t += rnd.expovariate(per_s)
    return sorted(events)


# --- who the calls are made by and about ---------------------------------------------------


@dataclass
class Population:
    """The people and records the simulated calls pick from, stored before the front is attached."""

    rnd: random.Random
    patients: list[str]
    wearers: list[str]  # patients whose upload of today is stored: their next marks nothing new
    first_uploaders: Iterator[str]  # wearers with no upload yet today: each one's upload marks the night
    staff: list[str]
    appointment: dict[str, str]  # patient -> an upcoming appointment
    medication: dict[str, str]  # patient -> a medication with refills
    reading: dict[str, str]  # wearer -> one of today's readings
    refillable: list[tuple[str, str]]  # (patient, medication) with no request waiting
    pending: list[str]  # refill requests waiting for a decision
    connections: list[tuple[str, str]]  # open: (patient, connection id)
    counter: Iterator[int] = field(default_factory=itertools.count)

    def patient(self) -> str:
        return self.rnd.choice(self.patients)

    def wearer(self) -> str:
        return self.rnd.choice(self.wearers)

    def unique(self) -> str:
        return f"sim-{next(self.counter)}"


def populate(workload: str, events: list[tuple[float, str, str]], rnd: random.Random, invoke: Any) -> Population:
    """Registered patients and staff, today's upload of each wearer, the records the window's
    calls act on (one of each per call that uses one up), and the connections it closes."""
    names = env.table_names()
    count = Counter(op for _, _, op in events)
    patients = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(PATIENTS)]
    wearers = patients[: int(PATIENTS * WEARER_SHARE)]
    first = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(count[FIRST_UPLOAD])]
    staff_count = max(1, model.staff_count(model.workload(workload)) // SCALE[workload].people)
    staff = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(staff_count)]
    registered = [users_table.to_item({"userId": u, "email": f"{u}@example.test", "role": "patient",
                                       "name": f"{rnd.choice(GIVEN)} {rnd.choice(FAMILY)}", "createdAt": NOW_MS - i})
                  for i, u in enumerate(patients + first)]
    bulk_put(names["UsersTable"], registered)
    bulk_put(names["PatientNamesTable"], [look_up for user in registered for look_up in
                                          patient_names_table.items_for(user["userId"], users_table.name_index(user))])
    bulk_put(names["UsersTable"], [users_table.to_item({"userId": s, "email": f"{s}@example.test", "role": "admin",
                                                        "createdAt": NOW_MS}) for s in staff])
    appointment, medication = {}, {}
    for i, patient in enumerate(patients):
        appointment[patient] = f"a{i:031d}"
        medication[patient] = f"m{i:031d}"
    bulk_put(names["AppointmentsTable"], [appointments_table.to_item(p, {
        "appointmentId": a, "title": "Lab visit", "date": "2027-01-05T09:00", "type": "lab", "status": "requested",
        "startTime": FUTURE, "durationMinutes": 30, "version": 1}) for p, a in appointment.items()])
    medicine = {"name": "Drug", "dose": "1 mg", "active": True, "startedAt": NOW_MS - DAY_MS, "version": 1}
    refills = count["POST /medications/{id}/refill-requests"]
    refillable = [(patients[i % PATIENTS], f"r{i:031d}") for i in range(refills)]
    decisions = count["PATCH /admin/refill-requests/{id}"]
    pending = [(patients[i % PATIENTS], f"q{i:031d}", f"{i + 1:032x}") for i in range(decisions)]
    bulk_put(names["MedicationsTable"], [medications_table.to_item(p, {**medicine, "medicationId": m,
                                                                       "refills": 10**6})
                                         for p, m in medication.items()]
             + [medications_table.to_item(p, {**medicine, "medicationId": m, "refills": 5}) for p, m in refillable]
             + [medications_table.to_item(p, {**medicine, "medicationId": m, "refills": 5,
                                               "pendingRefillRequestId": r}) for p, m, r in pending])
    bulk_put(names["RefillRequestsTable"], [refill_requests_table.to_item(p, {
        "requestId": r, "medicationId": m, "medicationName": "Drug", "status": "pending",
        "requestedAt": NOW_MS - i * 60_000, "version": 1}) for i, (p, m, r) in enumerate(pending)])
    closes = count["live disconnect"]
    connections = [(patients[i % PATIENTS], f"open-{i}") for i in range(closes)]
    for patient, connection in connections:
        connections_table.put(patient, connection, NOW_MS // 1000 + 7200)
    population = Population(rnd, patients, wearers, iter(first), staff, appointment, medication,
                            {}, refillable, [r for _, _, r in pending], connections)
    for start in range(0, len(wearers), UPLOADS_PER_BATCH):
        assert upload(invoke, population, wearers[start:start + UPLOADS_PER_BATCH], "today"), "today's uploads"
    population.reading = {wearer: keys.reading_id(SENSOR_SOURCE, f"{wearer}-today-0") for wearer in wearers}
    return population


# --- the operations ------------------------------------------------------------------------


def upload(invoke: Any, population: Population, users: list[str], tag: str | None = None) -> bool:
    """An upload of 3 readings by each of ``users``, as the ingest function receives them from the
    queue. Every upload's readings fall on the same clinic day, so only a wearer's first of the
    day marks the night (capacity/measure.py measures the two apart)."""
    tag = tag or population.unique()
    readings = [{"userId": user, "name": SENSOR, "value": 60.0 + i, "unit": "bpm", "recordedAt": NOW_MS - i * 60_000,
                 "source": SENSOR_SOURCE, "sourceReadingId": f"{user}-{tag}-{i}"} for user in users for i in range(3)]
    return not invoke("IngestReadingsFunction", sqs_event(readings)).get("batchItemFailures")


Call = Callable[[Any, Population, str], bool]


Params = Callable[[Population, str], dict[str, Any]]


def _api(function: str, *, admin: bool, path: Params | None = None, query: Params | None = None,
         body: Callable[[Population], Any] | None = None, about: Callable[[Population], str] = Population.patient,
         ) -> Call:
    """A call of an API route: by a patient about themselves, or by a staff member (``admin``)
    about a patient (``about``); ``path`` and ``query`` given that patient."""
    def run(invoke: Any, population: Population, who: str) -> bool:
        caller = population.rnd.choice(population.staff) if admin else population.patient()
        patient = about(population) if admin else caller
        reply = call(invoke, function, sub=caller, admin=admin, path=path(population, patient) if path else None,
                     query=query(population, patient) if query else None, body=body(population) if body else None)
        return reply.status < 300
    return run


def _own(function: str, path: Params | None = None, **kwargs: Any) -> Call:
    return _api(function, admin=False, path=path, **kwargs)


def _staff(function: str, path: Params | None = None, **kwargs: Any) -> Call:
    return _api(function, admin=True, path=path or (lambda p, patient: {"userId": patient}), **kwargs)


def _refill_request(invoke: Any, population: Population, who: str) -> bool:
    patient, medication = population.refillable.pop()
    return call(invoke, "RequestRefillFunction", sub=patient, path={"medicationId": medication}).status < 300


def _decision(invoke: Any, population: Population, who: str) -> bool:
    reply = call(invoke, "DecideRefillRequestFunction", sub=population.rnd.choice(population.staff), admin=True,
                 path={"requestId": population.pending.pop()}, body={"decision": "approved"})
    return reply.status < 300


def _pre_token(source: str) -> Call:
    def run(invoke: Any, population: Population, who: str) -> bool:
        user = population.rnd.choice(population.staff) if who == "staff" else population.patient()
        event = json.loads(json.dumps(_load("cognito/pre_token_generation.json")))
        event["triggerSource"] = source
        event["userName"] = event["request"]["userAttributes"]["sub"] = user
        invoke("PreTokenGenerationFunction", event)
        return True
    return run


class _TokenIsTheSubject:
    """Stands in for the ID token verifier at $connect: the token is the caller's sub."""

    def verify(self, token: str | None) -> dict[str, Any] | None:
        return {"sub": token} if token else None


class _Connections:
    """API Gateway's management API for the fan-out (moto has none): every post is delivered."""

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803 - boto's names
        return {}


def _connect(invoke: Any, population: Population, who: str) -> bool:
    patient, connection = population.patient(), population.unique()
    result = invoke("LiveConnectFunction", ws_event("connect", connection_id=connection, token=patient))
    population.connections.append((patient, connection))
    return result["statusCode"] == 200


def _disconnect(invoke: Any, population: Population, who: str) -> bool:
    _, connection = population.connections.pop(population.rnd.randrange(len(population.connections)))
    return invoke("LiveDisconnectFunction", ws_event("disconnect", connection_id=connection))["statusCode"] == 200


def _fan_out(connected: bool, batch: int = 1) -> Call:
    """A stream batch of changes to the fan-out: of ``batch`` users without a connection, or of
    one user with one."""
    def run(invoke: Any, population: Population, who: str) -> bool:
        if connected:
            owners = [population.rnd.choice(population.connections)[0]]
        else:
            owners = [population.wearer() if who in PIPELINES else population.patient() for _ in range(batch)]
        table = env.table_names()["BiomarkerSummaryTable"]
        records = [stream_record(table, owner, str(next(population.counter))) for owner in owners]
        return not invoke("LiveFanOutFunction", {"Records": records}).get("batchItemFailures")
    return run


def _lab_panel(invoke: Any, population: Population, who: str) -> bool:
    wearer, n = population.wearer(), next(population.counter)
    panel = [{"userId": wearer, "name": name, "value": value, "unit": unit, "recordedAt": NOW_MS, "source": "lab.sim",
              "sourceReadingId": f"{wearer}-{n}-{name}".replace(" ", "_")} for name, unit, value in PANEL]
    return invoke("IngestReadingsFunction", ingest_invoke_event(panel))["accepted"] == len(PANEL)


def _reading(population: Population) -> Any:
    return {"readings": [{"name": "Glucose", "value": 85, "unit": "mg/dL", "recordedAt": NOW_MS,
                          "sourceReadingId": population.unique()}]}


DRIVERS: dict[str, Call] = {
    "GET /biomarkers/stats": _own("GetBiomarkerStatsFunction"),
    "GET /biomarkers/latest": _own("ListLatestBiomarkersFunction"),
    "GET /appointments?type": _own("ListAppointmentsFunction", query=lambda p, me: {"type": "lab"}),
    "GET /medications?active": _own("ListMedicationsFunction", query=lambda p, me: {"active": "true"}),
    "GET /refill-requests": _own("ListRefillRequestsFunction"),
    "GET /me": _own("GetProfileFunction"),
    "GET /biomarkers/{name}/history": _own("GetBiomarkerHistoryFunction", lambda p, me: {"name": SENSOR}),
    "GET /biomarkers": _own("ListBiomarkersFunction"),
    "GET /biomarkers?category": _own("ListBiomarkersFunction", query=lambda p, me: {"category": "lipids"}),
    "GET /biomarkers?category&status": _own("ListBiomarkersFunction",
                                            query=lambda p, me: {"category": "lipids", "status": "optimal"}),
    "GET /appointments/{id}": _own("GetAppointmentFunction", lambda p, me: {"appointmentId": p.appointment[me]}),
    "GET /medications/{id}": _own("GetMedicationFunction", lambda p, me: {"medicationId": p.medication[me]}),
    "POST /appointments": _own("RequestAppointmentFunction", body=lambda p: {"type": "lab", "startTime": FUTURE}),
    "PATCH /appointments/{id}": _own("UpdateAppointmentFunction", lambda p, me: {"appointmentId": p.appointment[me]},
                                     body=lambda p: {"action": "reschedule", "startTime": FUTURE}),
    "POST /medications/{id}/refill-requests": _refill_request,
    "PATCH /me": _own("UpdateProfileFunction", body=lambda p: {"name": f"Patient {p.unique()}"}),
    "GET /me/export": _own("ExportMeFunction", query=lambda p, me: {"limit": 100}),
    # A list page of the route's default size, 20 patients (20 audit records), as measured.
    "GET /admin/patients": _api("ListPatientsFunction", admin=True),
    "GET /admin/patients?email": _api("ListPatientsFunction", admin=True,
                                      query=lambda p, patient: {"email": f"{patient}@example.test"}),
    # The first letters of a family name, as staff type them.
    "GET /admin/patients?name": _api("ListPatientsFunction", admin=True,
                                     query=lambda p, patient: {"name": p.rnd.choice(FAMILY)[:3]}),
    "GET /admin/patients/{userId}": _staff("GetPatientFunction"),
    "GET /admin/patients/{userId}/stats": _staff("GetPatientStatsFunction"),
    "GET /admin/patients/{userId}/biomarkers": _staff("ListPatientBiomarkersFunction"),
    "GET /admin/patients/{userId}/appointments": _staff("ListPatientAppointmentsFunction"),
    "GET /admin/patients/{userId}/medications": _staff("ListPatientMedicationsFunction"),
    "POST /admin/patients/{userId}/appointments": _staff("CreatePatientAppointmentFunction",
                                                         body=lambda p: {"type": "lab", "startTime": FUTURE}),
    "PATCH /admin/patients/{userId}/appointments/{id}": _staff(
        "UpdatePatientAppointmentFunction", lambda p, patient: {"userId": patient,
                                                                "appointmentId": p.appointment[patient]},
        body=lambda p: {"action": "confirm"}),
    "POST /admin/patients/{userId}/medications": _staff("CreatePatientMedicationFunction",
                                                        body=lambda p: {"name": "Drug", "dose": "1 mg"}),
    "PATCH /admin/patients/{userId}/medications/{id}": _staff(
        "UpdatePatientMedicationFunction", lambda p, patient: {"userId": patient,
                                                               "medicationId": p.medication[patient]},
        body=lambda p: {"dose": "2 mg"}),
    # Readings a clinician records or corrects go to wearers, whose day is marked already: as
    # measured (capacity/measure.py), they mark nothing new for the night.
    "POST /admin/patients/{userId}/biomarkers": _staff("RecordPatientBiomarkersFunction", body=_reading,
                                                       about=Population.wearer),
    "PATCH /admin/patients/{userId}/biomarkers/{id}": _staff(
        "CorrectPatientBiomarkerFunction", lambda p, wearer: {"userId": wearer, "readingId": p.reading[wearer]},
        body=lambda p: {"value": 70.0 + next(p.counter) % 50, "reason": "transcription error"},
        about=Population.wearer),
    "GET /admin/audit": _api("ListAuditEventsFunction", admin=True, query=lambda p, patient: {"patientId": patient}),
    "GET /admin/refill-requests": _api("ListRefillQueueFunction", admin=True),
    "PATCH /admin/refill-requests/{id}": _decision,
    "sign-in (pre-token trigger)": _pre_token("TokenGeneration_Authentication"),
    "token refresh (pre-token trigger)": _pre_token("TokenGeneration_RefreshTokens"),
    "live connect": _connect,
    "live disconnect": _disconnect,
    "live change fanned out (1 connection)": _fan_out(connected=True),
    "stream record, owner not connected": _fan_out(connected=False,
                                                   batch=BATCHED["stream record, owner not connected"]),
    "sensor upload (3 readings, SQS)": lambda invoke, p, who: upload(invoke, p, [p.wearer()]),
    FIRST_UPLOAD: lambda invoke, p, who: upload(invoke, p, [next(p.first_uploaders)]),
    "lab panel (5 results, invoke)": _lab_panel,
}


# --- the simulation ------------------------------------------------------------------------


@dataclass
class Outcomes:
    calls: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)


def stand_ins(monkeypatch: Any) -> None:
    """What the simulation has in place of AWS services moto lacks: the $connect token verifier
    and API Gateway's management API (posts to connections)."""
    monkeypatch.setattr(live, "verifier", _TokenIsTheSubject)
    aws.override("apigatewaymanagementapi", _Connections())


def front_scales(workload: str) -> tuple[int, dict[tuple[str, str], float]]:
    """The throughput front's scale (the people's k) and the tables the pipelines reach (their k)."""
    names = env.table_names()
    scale = SCALE[workload]
    return scale.people, {(names[table], index): scale.pipelines for table, index in pipeline_tables(workload)}


def simulate(invoke: Any, attach: Callable[[str], PartitionThrottle], workload: str, rnd: random.Random, *,
             only: set[str] | None = None, seconds: float = SECONDS) -> tuple[PartitionThrottle, Outcomes]:
    """The window's calls, in time order, each at its own simulated time, through ``attach``'s
    front (attached once the population is stored)."""
    events = schedule(workload, rnd, only=only, seconds=seconds)
    population = populate(workload, events, rnd, invoke)
    front = attach(workload)
    random.seed(19)  # botocore's and the write paths' backoff jitter: the same run every time
    out = Outcomes()
    for t, who, op in events:
        front.clock.at(t)
        out.calls[op] += 1
        try:
            ok = DRIVERS[op](invoke, population, who)
        except ClientError:
            ok = False
        if not ok:
            out.failures[op] += 1
    return front, out


def utilisation(front: PartitionThrottle, seconds: float = SECONDS,
                kind: str = "write") -> dict[tuple[str, str], tuple[str, float]]:
    """Per table and index: the hottest partition key and its load of ``kind`` units over the
    window, as a share of its limit."""
    used = front.usage.write_units if kind == "write" else front.usage.read_units
    hottest: dict[tuple[str, str], tuple[str, float]] = {}
    for partition, units in used.items():
        share = units / seconds / front.limit(partition, kind)
        if share > hottest.get(partition[:2], ("", 0.0))[1]:
            hottest[partition[:2]] = (partition[2], share)
    return hottest


def due_day() -> str:
    """The night that rolls up what arrives now (the markers' day)."""
    return days.local_day(clock.now_ms(), clock.clinic_zone()).isoformat()


def template_indexes() -> set[tuple[str, str]]:
    """(table logical id, index name) of every global and local secondary index of the template."""
    return {(table, index["IndexName"]) for table, args in template.table_definitions().items()
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes") for index in args.get(kind, [])}
