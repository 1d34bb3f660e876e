"""Every API route: DynamoDB requests and read units per call at two history sizes (flat is the
goal), and warm in-process latency of the real handler against a minimal handler that makes the
same botocore calls and returns their raw result: the overhead of our routing, validation, auth,
models, logging and metrics. Both measured in the same run, interleaved.

DynamoDB answers both with canned HTTP responses (the bodies recorded against moto), handed to
botocore at its send step: serialization, signing, endpoint resolution and parsing all run, as
they do against DynamoDB; only the network is left out. (botocore's Stubber answers before
serialization and skips all of that, which made the minimal handler look cheaper than it is.)"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from benchmarks.report import Table, median, ratio
from clinic import aws
from clinic.repositories import keys, medications_table, refill_requests_table, users_table
from clinic.services import readings
from clinic_tools import handlers, template
from tests.support import env
from tests.support.api import ADMIN_SUB, call, request_event
from tests.support.data import DAY_MS, NOW_MS, appointment, new_reading, store_appointments
from tests.support.dynamo import CallCounter
from tests.support.events import EVENT_SUB

NAMES = ("Glucose", "LDL Cholesterol", "HDL Cholesterol", "Sodium", "TSH")
UNITS = {"Glucose": "mg/dL", "LDL Cholesterol": "mg/dL", "HDL Cholesterol": "mg/dL", "Sodium": "mmol/L", "TSH": "mIU/L"}
P = {"userId": EVENT_SUB}
FUTURE = NOW_MS + 30 * DAY_MS


# Refill requests change what they act on (one pending request per medication, a request is decided
# once): each call takes the next of this many medications and pending requests stored per world.
REFILL_POOL = 60


@dataclass
class World:
    upcoming: str = ""
    medication: str = "bench-med"
    counter: int = 0
    refills_asked: int = 0
    refills_decided: int = 0

    def unique(self) -> str:
        self.counter += 1
        return f"bench-{self.counter}"

    def refillable(self) -> str:
        """A medication without a pending request (the ids past the pool only serve canned replays)."""
        self.refills_asked += 1
        return f"bench-refill-{self.refills_asked}"

    def pending_request(self) -> str:
        self.refills_decided += 1
        return pending_request_id(self.refills_decided)


def pending_request_id(n: int) -> str:
    return f"{n:032x}"  # shaped like a request's own id (keys.new_id)


@dataclass(frozen=True)
class Case:
    label: str
    function: str
    admin: bool = False
    path: Callable[[World], dict[str, str] | None] = lambda w: None
    query: dict[str, Any] = field(default_factory=dict)
    body: Callable[[World], Any] = lambda w: None
    # False: no latency comparison (calls Cognito too, or its calls depend on ids made per call)
    replayable: bool = True


CASES = [
    Case("GET /me", "GetProfileFunction"),
    Case("PATCH /me", "UpdateProfileFunction", body=lambda w: {"name": "Bench"}),
    Case("GET /biomarkers/stats", "GetBiomarkerStatsFunction"),
    Case("GET /biomarkers", "ListBiomarkersFunction"),
    Case("GET /biomarkers?category", "ListBiomarkersFunction", query={"category": "lipids"}),
    Case(
        "GET /biomarkers?category&status", "ListBiomarkersFunction", query={"category": "lipids", "status": "optimal"}
    ),
    Case("GET /biomarkers/latest", "ListLatestBiomarkersFunction"),
    Case("GET /biomarkers/{name}/history", "GetBiomarkerHistoryFunction", path=lambda w: {"name": "LDL Cholesterol"}),
    Case("GET /appointments?type", "ListAppointmentsFunction", query={"type": "lab"}),
    Case("GET /appointments/{id}", "GetAppointmentFunction", path=lambda w: {"appointmentId": w.upcoming}),
    Case("POST /appointments", "RequestAppointmentFunction", body=lambda w: {"type": "lab", "startTime": FUTURE}),
    Case(
        "PATCH /appointments/{id}",
        "UpdateAppointmentFunction",
        path=lambda w: {"appointmentId": w.upcoming},
        body=lambda w: {"action": "reschedule", "startTime": FUTURE},
    ),  # same start: no move
    Case("GET /medications?active", "ListMedicationsFunction", query={"active": "true"}),
    Case("GET /medications/{id}", "GetMedicationFunction", path=lambda w: {"medicationId": w.medication}),
    Case("POST /medications/{id}/refill-requests", "RequestRefillFunction",
         path=lambda w: {"medicationId": w.refillable()}),
    Case("GET /refill-requests", "ListRefillRequestsFunction"),
    Case("GET /admin/patients", "ListPatientsFunction", admin=True),
    Case("GET /admin/patients?email", "ListPatientsFunction", admin=True, query={"email": "patient@example.com"}),
    # 40 patients named Avery: a full page of 20 and a next one (the look-ups, then the page's profiles)
    Case("GET /admin/patients?name", "ListPatientsFunction", admin=True, query={"name": "ave"}),
    Case("GET /admin/patients/{userId}", "GetPatientFunction", admin=True, path=lambda w: P),
    Case("GET /admin/patients/{userId}/stats", "GetPatientStatsFunction", admin=True, path=lambda w: P),
    Case("GET /admin/patients/{userId}/biomarkers", "ListPatientBiomarkersFunction", admin=True, path=lambda w: P),
    Case(
        "POST /admin/patients/{userId}/biomarkers",
        "RecordPatientBiomarkersFunction",
        admin=True,
        path=lambda w: P,
        body=lambda w: {
            "readings": [
                {"name": "Glucose", "value": 85, "unit": "mg/dL", "recordedAt": NOW_MS, "sourceReadingId": w.unique()}
            ]
        },
        replayable=False,
    ),
    Case(
        "PATCH /admin/patients/{userId}/biomarkers/{id}",
        "CorrectPatientBiomarkerFunction",
        admin=True,
        # the newest Glucose reading (the biomarker's latest), amended to a new value every call
        path=lambda w: {**P, "readingId": keys.reading_id("lab.test", "r0")},
        body=lambda w: {"value": 80.0 + int(w.unique().rsplit("-", 1)[1]) % 50, "reason": "transcription error"},
        replayable=False,
    ),
    Case("GET /admin/patients/{userId}/appointments", "ListPatientAppointmentsFunction", admin=True, path=lambda w: P),
    Case(
        "POST /admin/patients/{userId}/appointments",
        "CreatePatientAppointmentFunction",
        admin=True,
        path=lambda w: P,
        body=lambda w: {"type": "lab", "startTime": FUTURE},
    ),
    Case(
        "PATCH /admin/patients/{userId}/appointments/{id}",
        "UpdatePatientAppointmentFunction",
        admin=True,
        path=lambda w: {**P, "appointmentId": w.upcoming},
        body=lambda w: {"action": "confirm"},
    ),
    Case("GET /admin/patients/{userId}/medications", "ListPatientMedicationsFunction", admin=True, path=lambda w: P),
    Case(
        "POST /admin/patients/{userId}/medications",
        "CreatePatientMedicationFunction",
        admin=True,
        path=lambda w: P,
        body=lambda w: {"name": "Drug", "dose": "1 mg"},
    ),
    Case(
        "PATCH /admin/patients/{userId}/medications/{id}",
        "UpdatePatientMedicationFunction",
        admin=True,
        path=lambda w: {**P, "medicationId": w.medication},
        body=lambda w: {"dose": "2 mg"},
    ),
    Case(
        "PUT /admin/users/{userId}/role",
        "SetUserRoleFunction",
        admin=True,
        path=lambda w: P,
        body=lambda w: {"role": "patient"},
        replayable=False,
    ),
    Case(
        "PUT /admin/users/{userId}/access",
        "SetUserAccessFunction",
        admin=True,
        path=lambda w: P,
        body=lambda w: {"enabled": True},  # the patient stays enabled for the cases after it
        replayable=False,
    ),
    Case("GET /admin/refill-requests", "ListRefillQueueFunction", admin=True),
    Case("PATCH /admin/refill-requests/{id}", "DecideRefillRequestFunction", admin=True,
         path=lambda w: {"requestId": w.pending_request()}, body=lambda w: {"decision": "approved"}),
    Case("GET /admin/audit", "ListAuditEventsFunction", admin=True, query={"patientId": EVENT_SUB}),
    Case("GET /me/access-log", "ListAccessLogFunction"),
    Case("GET /admin/patients/{userId}/export", "ExportPatientFunction", admin=True, path=lambda w: P),
    Case(
        "PUT /admin/patients/{userId}/identifiers",
        "SetPatientIdentifiersFunction",
        admin=True,
        path=lambda w: P,
        body=lambda w: {"identifiers": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": "MRN-0000001"}]},
        replayable=False,
    ),
]


def _invoke(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
    from clinic_local.gateway import LambdaContext

    return handlers.load_handler(logical_id)(event, LambdaContext(logical_id))


class Recorder:
    """The DynamoDB calls of one invocation: operation, API parameters, raw HTTP response body."""

    def __init__(self, client: Any) -> None:
        self.calls: list[list[Any]] = []
        self._client = client
        client.meta.events.register("provide-client-params.dynamodb", self._params)
        client.meta.events.register("after-call.dynamodb", self._response)

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append([model.name, json.loads(json.dumps(params)), None])

    def _response(self, http_response: Any, model: Any, **_: Any) -> None:
        self.calls[-1][2] = http_response.content

    def detach(self) -> None:
        self._client.meta.events.unregister("provide-client-params.dynamodb", self._params)
        self._client.meta.events.unregister("after-call.dynamodb", self._response)


def _build(readings_count: int, appointments_count: int, world: World) -> None:
    client = aws.dynamodb()
    for args in template.table_definitions(env.TABLE_PREFIX).values():
        client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
    idp = aws.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="bench", UsernameAttributes=["email"])["UserPool"]["Id"]
    idp.create_group(UserPoolId=pool, GroupName="admin")
    import os

    from clinic import settings

    os.environ["USER_POOL_ID"] = pool
    settings.reset()
    sub = next(
        a["Value"]
        for a in idp.admin_create_user(UserPoolId=pool, Username="patient@example.com", MessageAction="SUPPRESS")[
            "User"
        ]["Attributes"]
        if a["Name"] == "sub"
    )
    P["userId"] = sub  # the patient of the staff routes is the Cognito user (role changes reach the pool)
    for user_id, email in ((EVENT_SUB, "patient@example.com"), (sub, "patient@example.com")):
        users_table.put({"userId": user_id, "email": email, "role": "patient", "createdAt": NOW_MS})
    for patient in (EVENT_SUB, sub):
        batch = [
            new_reading(NAMES[i % 5], 50.0 + i % 90, NOW_MS - i * 60_000, unit=UNITS[NAMES[i % 5]], rid=f"r{i}")
            for i in range(readings_count)
        ]
        for start in range(0, readings_count, 2000):
            readings.record(patient, batch[start : start + 2000])
        store_appointments(
            patient,
            [
                appointment(i, type_=("lab", "checkup", "imaging")[i % 3], start=NOW_MS - (i + 1) * 3_600_000)
                for i in range(appointments_count)
            ],
        )
        upcoming = appointment(10**6, status="requested", start=FUTURE)
        store_appointments(patient, [upcoming])
        world.upcoming = upcoming["appointmentId"]
        medications_table.put_many(
            patient,
            [
                {
                    "medicationId": world.medication,
                    "name": "Drug",
                    "dose": "1 mg",
                    "refills": 10**6,
                    "active": True,
                    "startedAt": NOW_MS,
                    "version": 1,
                }
            ]
            + [
                {
                    "medicationId": f"m{i}",
                    "name": "Drug",
                    "dose": "1 mg",
                    "refills": 1,
                    "active": True,
                    "startedAt": NOW_MS - i * 60_000,
                    "version": 1,
                }
                for i in range(40)
            ],
        )
    for i in range(40):
        users_table.put({"userId": f"p{i}", "email": f"p{i}@example.com", "role": "patient", "createdAt": NOW_MS - i,
                         "name": "Avery Quinn"})
    _build_refill_pools(sub)


def _build_refill_pools(staff_patient: str) -> None:
    """The patient's medications to ask refills of, and the staff patient's pending requests (each
    with its medication's mark), a full queue page and a full list page of them."""
    def medication(medication_id: str, **extra: Any) -> dict[str, Any]:
        return {"medicationId": medication_id, "name": "Drug", "dose": "1 mg", "refills": 5, "active": True,
                "startedAt": NOW_MS - DAY_MS, "version": 1, **extra}

    medications_table.put_many(EVENT_SUB, [medication(f"bench-refill-{i}") for i in range(1, REFILL_POOL + 1)])
    pending = [{"requestId": pending_request_id(i), "medicationId": f"bench-decide-{i}", "medicationName": "Drug",
                "status": "pending", "requestedAt": NOW_MS - i * 60_000, "version": 1}
               for i in range(1, REFILL_POOL + 1)]
    medications_table.put_many(staff_patient, [medication(r["medicationId"], pendingRefillRequestId=r["requestId"])
                                               for r in pending])
    refill_requests_table.put_many(staff_patient, pending)
    refill_requests_table.put_many(EVENT_SUB, [{**r, "requestId": pending_request_id(REFILL_POOL + i)}
                                               for i, r in enumerate(pending, 1)])


def _arguments(case: Case, world: World) -> dict[str, Any]:
    return {
        "admin": case.admin,
        "sub": ADMIN_SUB if case.admin else EVENT_SUB,
        "path": case.path(world),
        "query": case.query,
        "body": case.body(world),
    }


def _call(case: Case, world: World) -> Any:
    return call(_invoke, case.function, **_arguments(case, world))


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Any:
        return iter([self._content])


class CannedDynamo:
    """Answers a botocore DynamoDB client's requests, in order, with recorded HTTP bodies: the
    client serializes, signs and parses as it would against DynamoDB; nothing goes on the wire."""

    HEADERS = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "canned"}

    def __init__(self, client: Any) -> None:
        self._answers: list[tuple[str, bytes]] = []
        self._next = 0
        self._client = client
        client.meta.events.register("before-send.dynamodb", self._send)

    def load(self, answers: list[tuple[str, bytes]]) -> None:
        self._answers, self._next = answers, 0

    def _send(self, request: Any, **_: Any) -> AWSResponse:
        operation, body = self._answers[self._next]
        self._next += 1
        target = request.headers["X-Amz-Target"]
        assert (target.decode() if isinstance(target, bytes) else target).endswith(operation), operation
        return AWSResponse(request.url, 200, self.HEADERS, _Body(body))

    def detach(self) -> None:
        self._client.meta.events.unregister("before-send.dynamodb", self._send)


def _latency(case: Case, world: World, recorded: list[list[Any]], calls: int, rounds: int) -> tuple[float, float]:
    """Median ms per call of the real handler and of the minimal one, DynamoDB answering both with
    canned HTTP responses. Both get their API Gateway events built before the clock starts: what is
    timed is the handler (routing, validation, auth, models, logs, metrics) against the bare calls."""
    from clinic_local.gateway import LambdaContext

    client = botocore.session.get_session().create_client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="canned", aws_secret_access_key="canned")
    aws.override("dynamodb", client)
    canned = CannedDynamo(client)
    handler, context = handlers.load_handler(case.function), LambdaContext(case.function)
    answers = [(operation, body) for operation, _params, body in recorded]

    def ours() -> float:
        events = [request_event(case.function, **_arguments(case, world)) for _ in range(calls)]
        canned.load(answers * calls)
        started = time.perf_counter()
        replies = [handler(event, context) for event in events]
        elapsed = time.perf_counter() - started
        assert all(r["statusCode"] < 300 for r in replies), replies[0]["body"]
        return elapsed / calls * 1000

    def minimal() -> float:
        canned.load(answers * calls)
        started = time.perf_counter()
        for _ in range(calls):
            results = [getattr(client, xform_name(op))(**params) for op, params, _ in recorded]
            {"statusCode": 200, "body": json.dumps(results, default=str)}
        return (time.perf_counter() - started) / calls * 1000

    try:
        ours()
        minimal()
        samples: dict[str, list[float]] = {"ours": [], "minimal": []}
        for _ in range(rounds):
            samples["ours"].append(ours())
            samples["minimal"].append(minimal())
    finally:
        canned.detach()
        aws.override("dynamodb", None)
    return median(samples["ours"]), median(samples["minimal"])


def run(quick: bool = False) -> list[Table]:
    sizes = [(200, 20), (2_000, 200)] if quick else [(1_000, 100), (10_000, 1_000)]
    cost = Table(
        "API routes: DynamoDB requests and read units per call, by stored history (first page, limit 20)",
        ["route"] + [f"{label} @ {r:,} readings/{a:,} appts" for r, a in sizes for label in ("req", "RCU")],
    )
    measured: dict[str, list[Any]] = {c.label: [] for c in CASES}
    recordings: dict[str, list[list[Any]]] = {}
    world = World()
    for readings_count, appointments_count in sizes:
        with mock_aws():
            aws.reset()
            _build(readings_count, appointments_count, world)
            counter = CallCounter(aws.dynamodb())
            for case in CASES:
                _call(case, world)  # warm (first call of a function imports it)
                counter.calls.reset()
                recorder = Recorder(aws.dynamodb())
                reply = _call(case, world)
                recorder.detach()
                assert reply.status < 300, (case.label, reply.body)
                measured[case.label] += [counter.calls.total, counter.calls.read_units]
                recordings[case.label] = recorder.calls
            counter.detach()
            aws.reset()
    for case in CASES:
        cost.add(case.label, *measured[case.label])
    cost.notes.append(
        "RCU: estimated from the returned items by DynamoDB's rules (moto does not model capacity); "
        "writes are not counted in RCU. Requests include the staff routes' patient check and audit write."
    )

    calls, rounds = (20, 3) if quick else (100, 5)
    latency = Table(
        "Warm handler latency, DynamoDB answering canned HTTP responses: ours vs a minimal handler "
        "making the same calls",
        ["route", "ours ms", "minimal ms", "ours/minimal"],
    )
    overheads = []
    for case in CASES:
        if not case.replayable:
            continue
        ours, minimal = _latency(case, world, recordings[case.label], calls, rounds)
        overheads.append(ours / minimal)
        latency.add(case.label, ours, minimal, ratio(ours, minimal))
    latency.notes.append(
        f"median of {rounds} rounds of {calls} calls each, interleaved; the minimal handler makes "
        "the same botocore calls and json-dumps their raw result. Both answered at botocore's send step "
        "with the HTTP bodies recorded against moto: serialization, signing and parsing run, the network does not."
    )
    latency.notes.append(
        f"ours/minimal across routes: median {median(overheads):.2f}x, max {max(overheads):.2f}x. "
        "Left out: PUT /admin/users/{userId}/role and /access (also call Cognito) and lab entry (its "
        "write path's calls depend on each call's new reading ids)."
    )
    return [cost, latency]
