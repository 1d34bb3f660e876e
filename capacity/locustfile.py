"""The load kit: Locust scenarios for patients, staff, sensor pipelines and live sessions, mixed
in the proportions of the peak hour of capacity/load_shape.yaml (capacity/shape.py).

Every simulated user does one thing per second (``constant_pacing(1)``), so a class's weight is the
number of users that sends its share of the peak: at 1M patients, 21 patients loading the dashboard
(4 API calls each), 67 staff members (a patient's stats, or a patient-list page), 111 sensor
pipelines (a batch of 15 readings) and the live sessions open at once. ``-u`` users are then a
known fraction of the 1M peak hour, printed when the run starts.

Targets (``make load TARGET=...``, docs/decisions.md has a local run's figures):

- ``make dev`` (the default, ``TARGET=http://127.0.0.1:3000``): accounts, WebSocket URL and queue
  come from the running stack's state file (``CLINIC_STATE_FILE``); ID tokens from the local user
  pool; sensor batches are direct invocations of the ingest handler in the Locust process, as
  ``clinic-local ingest`` sends them.
- a deployed stack: ``CLINIC_LOAD_PATIENT_TOKENS`` and ``CLINIC_LOAD_STAFF_TOKENS`` (files, one ID
  token a line), ``CLINIC_LOAD_WS_URL`` (the live-updates ``wss://`` URL), and for the pipelines
  ``CLINIC_LOAD_INGEST_FUNCTION`` (the ingest function's name, invoked with the caller's AWS
  credentials) with ``CLINIC_LOAD_SENSOR_USERS`` (user ids, one a line). A scenario without its
  settings is left out.

``CLINIC_LOAD_SESSION_S`` sets how long a live session stays open (default: the shape's 5 minutes);
``CLINIC_LOAD_WS_TIMEOUT_S`` how long a WebSocket handshake may take before it counts as failed (10 s).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from functools import cache
from pathlib import Path
from typing import Any

from locust import HttpUser, User, constant_pacing, events, task

from capacity.shape import load, peak_rates

SHAPE = load()
RATES = peak_rates(SHAPE)
SESSION_S = float(os.environ.get("CLINIC_LOAD_SESSION_S", SHAPE["live_session_minutes"] * 60))
HANDSHAKE_S = float(os.environ.get("CLINIC_LOAD_WS_TIMEOUT_S", 10))  # a slower handshake counts as a failure
PAGE_CALLS = ["/biomarkers/stats", "/biomarkers/latest", "/appointments?limit=20", "/medications"]


def _lines(variable: str) -> list[str]:
    path = os.environ.get(variable)
    return [line.strip() for line in Path(path).read_text().splitlines() if line.strip()] if path else []


@cache
def _local() -> Any:
    """The running `make dev` stack, or None when the target is a deployed stack."""
    if os.environ.get("CLINIC_LOAD_PATIENT_TOKENS"):
        return None
    from clinic_local import ingest
    from clinic_local import stack as local_stack

    state = Path(os.environ.get("CLINIC_STATE_FILE", local_stack.STATE_FILE))
    if not state.exists():
        raise SystemExit(f"no local stack at {state}: start `make dev`, or set CLINIC_LOAD_PATIENT_TOKENS")
    stack = local_stack.LocalStack.load(state)
    ingest.attach(stack)  # the ingest handler, in this process, against the stack's moto
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"})
    return stack


@cache
def _accounts(role: str) -> list[tuple[str, str]]:
    """(user id, ID token) of the target's accounts with ``role`` ("patient" or "admin")."""
    stack = _local()
    if stack is None:
        tokens = _lines("CLINIC_LOAD_PATIENT_TOKENS" if role == "patient" else "CLINIC_LOAD_STAFF_TOKENS")
        return [("", token) for token in tokens]
    import jwt
    from botocore.exceptions import ClientError

    from clinic_local import stack as local_stack

    signed_in = []
    for account in (a for a in stack.accounts if a["role"] == role):
        try:
            token = local_stack.id_token(stack, account["email"], account["password"])
        except ClientError as error:  # an account deleted since the stack was seeded (DELETE /me)
            if error.response["Error"]["Code"] != "UserNotFoundException":
                raise
            continue
        groups = jwt.decode(token, options={"verify_signature": False}).get("cognito:groups") or []
        if role == "admin" and "admin" not in groups:
            continue  # staff demoted since the stack was seeded (PUT /admin/users/{userId}/role)
        signed_in.append((account["userId"], token))
    return signed_in


def _ws_url() -> str | None:
    stack = _local()
    return stack.live.get("url") if stack is not None else os.environ.get("CLINIC_LOAD_WS_URL")


def _sensor_users() -> list[str]:
    stack = _local()
    return [u for u, _ in _accounts("patient")] if stack is not None else _lines("CLINIC_LOAD_SENSOR_USERS")


def _fire(request_type: str, name: str, started: float, error: BaseException | None, length: int = 0) -> None:
    events.request.fire(request_type=request_type, name=name, response_time=(time.perf_counter() - started) * 1000,
                        response_length=length, exception=error, context={})


class Patient(HttpUser):
    """A page load of the dashboard: its four API calls."""

    weight = max(1, round(RATES.page_loads))
    wait_time = constant_pacing(1)

    def on_start(self) -> None:
        _, self.token = random.choice(_accounts("patient"))

    @task
    def page_load(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        for path in PAGE_CALLS:
            self.client.get(path, headers=headers, name=path.split("?")[0])


class Staff(HttpUser):
    """An audited read of one patient's stats, or a page of the patient list (one audit record per
    listed patient), in the shape's proportion."""

    weight = max(1, round(RATES.staff_reads + RATES.staff_list_pages))
    wait_time = constant_pacing(1)

    def on_start(self) -> None:
        _, token = random.choice(_accounts("admin"))
        self.headers = {"Authorization": f"Bearer {token}"}
        page = self.client.get(f"/admin/patients?limit={RATES.patients_per_list_page}", headers=self.headers,
                               name="/admin/patients")
        self.patients = [p["userId"] for p in page.json().get("items", [])] if page.ok else []

    @task(max(1, round(RATES.staff_reads)))
    def read_patient(self) -> None:
        if self.patients:
            self.client.get(f"/admin/patients/{random.choice(self.patients)}/stats", headers=self.headers,
                            name="/admin/patients/{userId}/stats")

    @task(max(1, round(RATES.staff_list_pages)))
    def list_patients(self) -> None:
        self.client.get(f"/admin/patients?limit={RATES.patients_per_list_page}", headers=self.headers,
                        name="/admin/patients")


class SensorPipeline(User):
    """A sensor pipeline's batch of readings for one patient, to the ingest function."""

    weight = max(1, round(RATES.sensor_batches))
    wait_time = constant_pacing(1)
    abstract = bool(os.environ.get("CLINIC_LOAD_PATIENT_TOKENS")) and not os.environ.get("CLINIC_LOAD_INGEST_FUNCTION")

    def on_start(self) -> None:
        self.users = _sensor_users()
        self.sent = 0

    def _batch(self) -> list[dict[str, Any]]:
        user, now = random.choice(self.users), int(time.time() * 1000)
        self.sent += 1
        return [{"userId": user, "name": "Heart Rate", "value": random.randint(55, 120), "unit": "bpm",
                 "recordedAt": now - i * 60_000, "source": "load.kit",
                 "sourceReadingId": f"{id(self)}-{self.sent}-{i}"} for i in range(RATES.readings_per_batch)]

    @task
    def send_batch(self) -> None:
        readings, started, error = self._batch(), time.perf_counter(), None
        try:
            if _local() is not None:
                from clinic_local import ingest

                failed = ingest.invoke(readings).outcomes["failed"]
            else:
                failed = _invoke_deployed(readings)
            if failed:
                error = RuntimeError(f"{failed} readings reported failed")
        except Exception as caught:  # noqa: BLE001 - reported to Locust as the request's failure
            error = caught
        _fire("INGEST", "IngestReadingsFunction", started, error, len(readings))


@cache
def _lambda() -> Any:
    import botocore.session

    return botocore.session.get_session().create_client("lambda")


def _invoke_deployed(readings: list[dict[str, Any]]) -> int:
    reply = _lambda().invoke(FunctionName=os.environ["CLINIC_LOAD_INGEST_FUNCTION"],
                             Payload=json.dumps({"readings": readings}).encode())
    body = json.loads(reply["Payload"].read())
    if "FunctionError" in reply or "error" in body:
        raise RuntimeError("the ingest function answered with an error")
    return sum(1 for r in body["results"] if r["outcome"] == "failed")


class LiveSession(User):
    """A dashboard visit's live-updates WebSocket: connect with the ID token, stay, leave."""

    weight = max(1, round(RATES.page_loads * SESSION_S))
    wait_time = constant_pacing(1)
    abstract = bool(os.environ.get("CLINIC_LOAD_PATIENT_TOKENS")) and not os.environ.get("CLINIC_LOAD_WS_URL")

    def on_start(self) -> None:
        _, self.token = random.choice(_accounts("patient"))
        self.url = _ws_url()

    @task
    def visit(self) -> None:
        from websockets.sync.client import connect

        started, error = time.perf_counter(), None
        try:
            with connect(f"{self.url}?token={self.token}", open_timeout=HANDSHAKE_S) as socket:
                _fire("WS", "$connect", started, None)
                with contextlib.suppress(TimeoutError):
                    socket.recv(timeout=SESSION_S)  # a "changed" signal may come; the visit lasts anyway
            return
        except Exception as caught:  # noqa: BLE001 - reported to Locust as the request's failure
            error = caught
        _fire("WS", "$connect", started, error)


@events.init.add_listener
def _sign_in_first(**_: Any) -> None:
    """Tokens before the clock starts: signing in is not part of what a run measures."""
    _accounts("patient")
    _accounts("admin")


@events.test_start.add_listener
def _announce(environment: Any, **_: Any) -> None:
    classes = [c for c in (Patient, Staff, SensorPipeline, LiveSession) if not c.abstract]
    full = sum(c.weight for c in classes)
    users = getattr(environment.parsed_options, "num_users", None) or 0
    print(f"load shape: {full} users send the {SHAPE['patients']:,}-patient peak hour "
          f"({', '.join(f'{c.__name__} {c.weight}' for c in classes)}); {users} users = {users / full:.1%} of it")
