"""Unit costs, measured: every operation of the workload run once against in-process moto through
the functions' real handlers, metered by ``tests.support.meter`` (AWS calls per service and
operation, DynamoDB units per table, index and partition class), with the response size and a warm
duration. ``python -m capacity.measure --write`` (``make unit-costs``) writes capacity/unit_costs.json;
tests/integration/test_unit_costs.py fails when a measured cost differs from the file.

Costs are per unit of work the workload counts: per API call, per sensor upload (measured in an
SQS batch of 33 uploads of 3 readings, the ingest mapping's batch of 100 messages), per lab panel,
per sensor wearer's day rolled up at night (a work message of 10), per stream record fanned out
(to one connection, or to none), per live connect and disconnect, per sign-in and token refresh
(the pre-token trigger), and, outside the workload, a rename and a sign-up (each with its name
look-ups).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.pop("AWS_ENDPOINT_URL", None)
warnings.filterwarnings("ignore", "No application metrics to publish")

from tests.support import env  # noqa: E402 - the functions' environment, as in tests

os.environ.update(env.function_environment())

import botocore.session  # noqa: E402
from moto import mock_aws  # noqa: E402

from clinic import aws  # noqa: E402
from clinic_local import motoserver  # noqa: E402
from clinic_tools import handlers, template  # noqa: E402
from tests.support.meter import Meter  # noqa: E402

motoserver.backup_tables_once()  # as in tests: moto copies a table per transaction item otherwise

UNIT_COSTS = Path(__file__).with_name("unit_costs.json")
TIMED_CALLS = 7
READINGS_NOON_MS = 1_794_398_400_000  # 12:00Z: every measured reading falls on one clinic day
READINGS_DAY = time.strftime("%Y-%m-%d", time.gmtime(READINGS_NOON_MS / 1000))


@dataclass(frozen=True)
class Operation:
    """One unit of work: ``run`` does it ``per`` times (costs are divided by ``per``)."""

    name: str
    function: str
    run: Callable[[], Any]
    per: int = 1
    repeatable: bool = True  # timed as the median of TIMED_CALLS calls, else one call
    note: str = ""


def _invoke(logical_id: str, event: dict[str, Any]) -> Any:
    from clinic_local.gateway import LambdaContext

    return handlers.load_handler(logical_id)(event, LambdaContext(logical_id))


class CountingManagementApi:
    """API Gateway's management API for the fan-out: metered like a botocore call (moto has none)."""

    def __init__(self, meter: Meter) -> None:
        self._meter = meter

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803 - boto's names
        if self._meter.active:
            self._meter.usage.calls["apigatewaymanagementapi:PostToConnection"] += 1
        return {}


class Verifier:
    def __init__(self, sub: str) -> None:
        self.sub = sub

    def verify(self, token: str | None) -> dict[str, Any] | None:
        return {"sub": self.sub} if token else None


def _api_operations(world: Any) -> list[Operation]:
    from benchmarks import bench_routes
    from tests.support.api import call

    ops = [
        Operation(case.label, case.function, lambda case=case: _ok(call(_invoke, case.function,
                                                                        **bench_routes._arguments(case, world))))
        for case in bench_routes.CASES
    ]
    ops.append(Operation("GET /me/export", "ExportMeFunction",
                         lambda: _ok(call(_invoke, "ExportMeFunction", query={"limit": 100}))))
    return ops


def _ok(reply: Any) -> Any:
    assert reply.status < 300, reply.body
    return reply.raw


def _other_operations(meter: Meter) -> list[Operation]:
    from clinic.repositories import users_table as users
    from clinic.services import live
    from tests.support.events import _load, ingest_invoke_event, sqs_event, stream_record, ws_event

    def people(first: int, count: int) -> list[str]:
        """Registered patients (set up outside the meter)."""
        ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(first, first + count)]
        was, meter.active = meter.active, False
        for user_id in ids:
            users.put({"userId": user_id, "email": f"{user_id}@example.com", "role": "patient",
                       "createdAt": READINGS_NOON_MS})
        meter.active = was
        meter.subjects.update(ids + [f"{u}@example.com" for u in ids])
        return ids

    uploaders = people(0, 33)
    sequence = iter(range(10**6))
    fresh = iter(range(1, 10**6))

    def quiet(run: Callable[[], Any]) -> Callable[[], Any]:
        def wrapped() -> Any:
            was, meter.active = meter.active, False
            try:
                return run()
            finally:
                meter.active = was
        return wrapped

    def reading(user: str, name: str, value: float, unit: str, at: int, source: str) -> dict[str, Any]:
        return {"userId": user, "name": name, "value": value, "unit": unit, "recordedAt": at, "source": source,
                "sourceReadingId": f"{source}-{user}-{name}-{at}".replace(" ", "_")}

    def upload_batch(senders: list[str]) -> Any:
        base = READINGS_NOON_MS + next(sequence) * 900_000
        bodies = [reading(user, "Heart Rate", 60.0 + n, "bpm", base + n * 300_000, "device.watch")
                  for user in senders for n in range(3)]
        return _invoke("IngestReadingsFunction", sqs_event(bodies))

    def first_uploads() -> Any:
        """Uploads of users who had none yet today: each also writes the night's activity marker."""
        return upload_batch(people(1000 * next(fresh), len(uploaders)))

    def lab_panel() -> Any:
        at = READINGS_NOON_MS + next(sequence) * 900_000
        panel = [reading(uploaders[0], name, 90.0, unit, at, "lab.quest")
                 for name, unit in (("Glucose", "mg/dL"), ("LDL Cholesterol", "mg/dL"),
                                    ("HDL Cholesterol", "mg/dL"), ("Sodium", "mmol/L"), ("TSH", "mIU/L"))]
        result = _invoke("IngestReadingsFunction", ingest_invoke_event(panel))
        assert result["accepted"] == len(panel), result
        return result

    def sensor_day(user: str) -> None:
        """A sensor wearer's day: a reading every 5 minutes (workload.yaml)."""
        start = READINGS_NOON_MS - 12 * 3_600_000
        day = [reading(user, "Heart Rate", 60.0 + n % 30, "bpm", start + n * 300_000, "device.watch")
               for n in range(288)]
        result = _invoke("IngestReadingsFunction", ingest_invoke_event(day))
        assert result["accepted"] == len(day), result

    def work_message() -> Any:
        """The night of 10 sensor wearers, each with a day of readings, rolled up the first time."""
        work_users = people(1000 * next(fresh), 10)
        for user in work_users:
            quiet(lambda user=user: sensor_day(user))()
        body = {"due": READINGS_DAY, "users": [{"userId": u, "days": [READINGS_DAY]} for u in work_users]}
        event = json.loads(json.dumps(_load("rollups/work.json")))
        event["Records"][0]["body"] = json.dumps(body)
        return _invoke("RollupWorkerFunction", event)

    summary_table = env.table_names()["BiomarkerSummaryTable"]

    def fan_out() -> Any:
        event = {"Records": [stream_record(summary_table, uploaders[0], str(next(sequence)))]}
        return _invoke("LiveFanOutFunction", event)

    def fan_out_unconnected() -> Any:
        event = {"Records": [stream_record(summary_table, user, str(next(sequence))) for user in uploaders[1:21]]}
        return _invoke("LiveFanOutFunction", event)

    connection = "capacity-conn-0"
    meter.subjects.add(connection)

    def connect() -> Any:
        with mock.patch.object(live, "verifier", return_value=Verifier(uploaders[0])):
            return _invoke("LiveConnectFunction", ws_event("connect", connection_id=connection, token="any"))  # noqa: S106

    def token(source: str) -> Callable[[], Any]:
        def run() -> Any:
            event = json.loads(json.dumps(_load("cognito/pre_token_generation.json")))
            event["triggerSource"] = source
            event["userName"] = event["request"]["userAttributes"]["sub"] = uploaders[1]
            return _invoke("PreTokenGenerationFunction", event)
        return run

    reconnect = quiet(connect)

    def disconnect() -> Any:
        result = _invoke("LiveDisconnectFunction", ws_event("disconnect", connection_id=connection))
        reconnect()  # the next disconnect finds a connection again; not metered
        return result

    renames = iter(range(10**6))

    def rename() -> Any:
        """PATCH /me with a name other than the one stored: the profile and its name look-ups move."""
        from tests.support.api import call

        name = ("Bench Avery", "Bench Quinn")[next(renames) % 2]
        return _ok(call(_invoke, "UpdateProfileFunction", body={"name": name}))

    def sign_up() -> Any:
        """A new account's profile, with its name look-ups (the post-confirmation trigger)."""
        sub = f"00000000-0000-4000-9000-{next(fresh):012d}"
        meter.subjects.update([sub, f"{sub}@example.com"])
        event = json.loads(json.dumps(_load("cognito/post_confirmation.json")))
        event["request"]["userAttributes"].update({"sub": sub, "email": f"{sub}@example.com", "name": "Nora Quist"})
        return _invoke("PostConfirmationFunction", event)

    reconnect()
    return [
        Operation("PATCH /me, a new name", "UpdateProfileFunction", rename,
                  note="not in the workload (PATCH /me is measured with the name it has); docs/decisions.md 63"),
        Operation("sign-up (post-confirmation trigger)", "PostConfirmationFunction", sign_up,
                  note="not in the workload (sign-ups are not modelled); docs/decisions.md 63"),
        Operation("sensor upload (3 readings, SQS)", "IngestReadingsFunction", lambda: upload_batch(uploaders),
                  per=len(uploaders), repeatable=False, note="one SQS batch of 33 users' uploads (99 messages)"),
        Operation("sensor upload, the user's first today", "IngestReadingsFunction", first_uploads,
                  per=len(uploaders), repeatable=False, note="as above, by users with no upload yet today"),
        Operation("lab panel (5 results, invoke)", "IngestReadingsFunction", lab_panel, repeatable=False),
        Operation("nightly rollup, per user", "RollupWorkerFunction", work_message, per=10, repeatable=False,
                  note="one work message of 10 sensor wearers with 288 readings each that day"),
        Operation("live change fanned out (1 connection)", "LiveFanOutFunction", fan_out),
        Operation("stream record, owner not connected", "LiveFanOutFunction", fan_out_unconnected, per=20,
                  note="a stream batch of 20 changes of 20 users without a connection"),
        Operation("live connect", "LiveConnectFunction", connect, note="token verification stubbed (no AWS call)"),
        Operation("live disconnect", "LiveDisconnectFunction", disconnect),
        Operation("sign-in (pre-token trigger)", "PreTokenGenerationFunction", token("TokenGeneration_Authentication")),
        Operation("token refresh (pre-token trigger)", "PreTokenGenerationFunction",
                  token("TokenGeneration_RefreshTokens")),
    ]


def _summarize(op: Operation, meter: Meter, result: Any, ms: float) -> dict[str, Any]:
    usage = meter.usage
    units = [
        {"table": table, "index": index or None, "kind": kind, "partition": partition,
         "units": round(value / op.per, 4)}
        for (table, index, kind, partition), value in sorted(usage.units.items())
    ]
    body = result.get("body") if isinstance(result, dict) else None
    route = next((f"{r.method} {r.path}" for r in template.routes() if r.function == op.function), None)
    return {
        "function": op.function,
        **({"route": route} if route else {}),
        "invocations": round(1 / op.per, 4),
        "calls": {k: round(v / op.per, 4) for k, v in sorted(usage.calls.items())},
        "dynamodb_units": units,
        "dynamodb_items": {k: round(v / op.per, 4) for k, v in sorted(usage.items.items())},
        "stored_bytes": {k: round(v / op.per, 1) for k, v in sorted(usage.stored.items()) if v},
        "response_bytes": len(body.encode()) if isinstance(body, str) else len(json.dumps(result or {})),
        "warm_ms": round(ms / op.per, 3),
        **({"note": op.note} if op.note else {}),
    }


@contextmanager
def _world() -> Iterator[tuple[Meter, Any]]:
    from benchmarks import bench_routes
    from clinic.services import live

    with mock_aws():
        aws.reset()
        session = aws._session()
        raw = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        meter = Meter(session, raw)
        aws.override("apigatewaymanagementapi", CountingManagementApi(meter))
        world = bench_routes.World()
        bench_routes._build(200, 30, world)
        from tests.support.api import ADMIN_SUB
        from tests.support.events import EVENT_SUB

        # Keys of one person (ids, email addresses) are per-user partitions, whoever they are.
        people = [EVENT_SUB, ADMIN_SUB, bench_routes.P["userId"], *(f"p{i}" for i in range(40))]
        meter.subjects.update(people + [f"{p}@example.com" for p in people] + ["patient@example.com"])
        live.verifier.cache_clear()
        # More audit records of the patient than a page holds: GET /admin/audit reads a full page
        # whichever patients the listing before it happened to audit.
        from tests.support.api import call

        for _ in range(25):
            call(_invoke, "GetPatientFunction", admin=True, sub=ADMIN_SUB, path={"userId": EVENT_SUB})
        try:
            yield meter, world
        finally:
            aws.reset()


def measure(timed_calls: int = TIMED_CALLS) -> dict[str, Any]:
    """Every operation's unit cost; ``timed_calls`` of each repeatable one give its warm_ms."""
    operations: dict[str, Any] = {}
    with _world() as (meter, world):
        for op in _api_operations(world) + _other_operations(meter):
            op.run()  # warm: the first call imports the function
            meter.usage.reset()
            meter.active = True
            started = time.perf_counter()
            result = op.run()
            first_ms = (time.perf_counter() - started) * 1000
            meter.active = False  # the timing calls below are not metered
            timings = [first_ms]
            if op.repeatable:
                for _ in range(timed_calls - 1):
                    started = time.perf_counter()
                    op.run()
                    timings.append((time.perf_counter() - started) * 1000)
            operations[op.name] = _summarize(op, meter, result, statistics.median(timings))
    return {
        "about": (
            "Written by `make unit-costs` (capacity/measure.py). Per unit of work: AWS calls by service "
            "and operation, DynamoDB units by table, index and partition class (computed from item sizes "
            "by DynamoDB's rules: moto reports a constant ConsumedCapacity and no index writes), response "
            "bytes, and warm_ms: median in-process handler time against moto on the measuring machine "
            "(moto's own work included, no network)."
        ),
        "operations": operations,
    }


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {UNIT_COSTS.name}")
    args = parser.parse_args()
    with contextlib.redirect_stdout(sys.stderr):  # the functions' metrics and logs
        measured = measure()
    text = json.dumps(measured, indent=2, sort_keys=True) + "\n"
    if args.write:
        UNIT_COSTS.write_text(text)
        print(f"wrote {UNIT_COSTS} ({len(measured['operations'])} operations)")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
