"""The load kit: Locust scenarios for patients, staff, sensor pipelines and live sessions, in the
peak mix of the workload model `make capacity` computes (capacity/workload.yaml, through
capacity/load_mix.py): the same figures, not a second set.

Every simulated user does one thing per second (``constant_pacing(1)``), so a class's weight is the
number of users that sends its share of the peak, and a user picks each second's route in the
model's per-route proportions: a patient one API call (stats, latest readings, appointments...),
a staff member one audited read, a sensor pipeline one ingest invocation of the measured SQS
batch (33 uploads of 3 readings, as the queue delivers them), a live session one visit held
``session_minutes``. ``-u`` users are then a known fraction of the
workload's peak, printed when the run starts with the routes the kit leaves out (writes: a run
leaves the target's data as it found it).

Targets (``make load TARGET=...``, docs/decisions.md has a local run's figures):

- ``make dev`` (the default, ``TARGET=http://127.0.0.1:3000``): accounts, WebSocket URL and queue
  come from the running stack's state file (``CLINIC_STATE_FILE``); ID tokens from the local user
  pool; sensor uploads are direct invocations of the ingest handler in the Locust process, as
  ``clinic-local ingest`` sends them.
- a deployed stack: ``CLINIC_LOAD_PATIENT_TOKENS`` and ``CLINIC_LOAD_STAFF_TOKENS`` (files, one ID
  token a line), ``CLINIC_LOAD_WS_URL`` (the live-updates ``wss://`` URL), and for the pipelines
  ``CLINIC_LOAD_INGEST_FUNCTION`` (the ingest function's name, invoked with the caller's AWS
  credentials) with ``CLINIC_LOAD_SENSOR_USERS`` (user ids, one a line). A scenario without its
  settings is left out.

``CLINIC_LOAD_WORKLOAD`` names the workload of capacity/workload.yaml (default: the one the template
is sized for); ``CLINIC_LOAD_SESSION_S`` how long a live session stays open (default: the workload's
``session_minutes``); ``CLINIC_LOAD_WS_TIMEOUT_S`` how long a WebSocket handshake may take before it
counts as failed (10 s).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from locust import HttpUser, User, constant_pacing, events, task

from capacity.load_mix import peak_mix

MIX = peak_mix(os.environ.get("CLINIC_LOAD_WORKLOAD"))
SESSION_S = float(os.environ.get("CLINIC_LOAD_SESSION_S", MIX.session_s))
HANDSHAKE_S = float(os.environ.get("CLINIC_LOAD_WS_TIMEOUT_S", 10))  # a slower handshake counts as a failure
LIST_PAGE = 20  # the patient list's page, as the staff pages of the dashboard ask for it

# The model's patient routes the kit sends, each as the path a patient's user calls.
PATIENT_PATHS: dict[str, Callable[[Any], str | None]] = {
    "GET /biomarkers/stats": lambda u: "/biomarkers/stats",
    "GET /biomarkers/latest": lambda u: "/biomarkers/latest",
    "GET /appointments?type": lambda u: "/appointments?type=lab&limit=20",
    "GET /medications?active": lambda u: "/medications?active=true",
    "GET /me": lambda u: "/me",
    "GET /biomarkers/{name}/history": lambda u: "/biomarkers/LDL%20Cholesterol/history",
    "GET /biomarkers": lambda u: "/biomarkers",
    "GET /biomarkers?category": lambda u: "/biomarkers?category=lipids",
    "GET /biomarkers?category&status": lambda u: "/biomarkers?category=lipids&status=optimal",
    "GET /appointments/{id}": lambda u: u.appointment and f"/appointments/{u.appointment}",
    "GET /medications/{id}": lambda u: u.medication and f"/medications/{u.medication}",
    "GET /me/export": lambda u: "/me/export?limit=100",
    "GET /refill-requests": lambda u: "/refill-requests?limit=20",
}
# The model's staff routes the kit sends, for a patient ``u.patient`` of a list page.
STAFF_PATHS: dict[str, Callable[[Any], str | None]] = {
    "GET /admin/patients": lambda u: f"/admin/patients?limit={LIST_PAGE}",
    "GET /admin/patients?email": lambda u: f"/admin/patients?email={quote(u.patient['email'])}",
    "GET /admin/patients?name": lambda u: f"/admin/patients?name={quote(name_start(u.patient))}&limit={LIST_PAGE}",
    "GET /admin/patients/{userId}": lambda u: f"/admin/patients/{u.patient['userId']}",
    "GET /admin/patients/{userId}/stats": lambda u: f"/admin/patients/{u.patient['userId']}/stats",
    "GET /admin/patients/{userId}/biomarkers": lambda u: f"/admin/patients/{u.patient['userId']}/biomarkers",
    "GET /admin/patients/{userId}/appointments": lambda u: f"/admin/patients/{u.patient['userId']}/appointments",
    "GET /admin/patients/{userId}/medications": lambda u: f"/admin/patients/{u.patient['userId']}/medications",
    "GET /admin/audit": lambda u: f"/admin/audit?patientId={u.patient['userId']}",
    "GET /admin/refill-requests": lambda u: f"/admin/refill-requests?status=pending&limit={LIST_PAGE}",
}


def name_start(patient: dict[str, Any]) -> str:
    """What staff type to find ``patient``: the first three letters of a word of their name ("pa"
    for a patient without a name)."""
    import re

    found = re.search(r"[A-Za-z]{2,}", patient.get("name") or "")
    return found.group(0)[:3] if found else "pa"


def sent(mix: dict[str, float], paths: dict[str, Any]) -> dict[str, float]:
    """The part of a modelled mix the kit sends: the routes it has a path for."""
    return {op: rate for op, rate in mix.items() if op in paths}


def left_out(mix: dict[str, float], paths: dict[str, Any]) -> dict[str, float]:
    return {op: rate for op, rate in mix.items() if op not in paths}


def users_for(rate_per_s: float) -> int:
    """Users acting once a second that send ``rate_per_s``."""
    return max(1, round(rate_per_s))


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
        except ClientError as error:  # an account deleted (DELETE /me) or disabled since the stack was seeded
            gone = error.response["Error"]["Code"] == "UserNotFoundException"
            disabled = error.response["Error"]["Code"] == "NotAuthorizedException" and "disabled" in str(error)
            if not (gone or disabled):
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


class RouteMix:
    """Each second, one route of ``mix`` in its modelled proportion."""

    mix: dict[str, float]
    paths: dict[str, Callable[[Any], str | None]]

    def pick(self) -> tuple[str, str | None]:
        (op,) = random.choices(list(self.mix), weights=list(self.mix.values()))
        return op, self.paths[op](self)


class Patient(RouteMix, HttpUser):
    """A patient's API calls, one a second, in the model's per-route mix. A route that needs an
    appointment or a medication the account has none of is skipped that second."""

    mix = sent(MIX.patient, PATIENT_PATHS)
    paths = PATIENT_PATHS
    weight = users_for(sum(mix.values()))
    wait_time = constant_pacing(1)

    def on_start(self) -> None:
        _, token = random.choice(_accounts("patient"))
        self.headers = {"Authorization": f"Bearer {token}"}
        self.appointment = self._first_id("/appointments?limit=1", "appointmentId")
        self.medication = self._first_id("/medications?limit=1", "medicationId")

    def _first_id(self, path: str, field: str) -> str | None:
        page = self.client.get(path, headers=self.headers, name=f"(setup) {path.split('?')[0]}")
        items = page.json().get("items", []) if page.ok else []
        return str(items[0][field]) if items else None

    @task
    def call(self) -> None:
        op, path = self.pick()
        if path:
            self.client.get(path, headers=self.headers, name=op)


class Staff(RouteMix, HttpUser):
    """A staff member's audited reads, one a second, in the model's per-route mix, of patients
    from a page of the patient list."""

    mix = sent(MIX.staff, STAFF_PATHS)
    paths = STAFF_PATHS
    weight = users_for(sum(mix.values()))
    wait_time = constant_pacing(1)

    def on_start(self) -> None:
        _, token = random.choice(_accounts("admin"))
        self.headers = {"Authorization": f"Bearer {token}"}
        page = self.client.get(f"/admin/patients?limit={LIST_PAGE}", headers=self.headers,
                               name="(setup) /admin/patients")
        self.patients = page.json().get("items", []) if page.ok else []

    @task
    def call(self) -> None:
        if not self.patients:
            return
        self.patient = random.choice(self.patients)
        op, path = self.pick()
        self.client.get(str(path), headers=self.headers, name=op)


class SensorPipeline(User):
    """The sensor uploads, to the ingest function in the batches its queue delivers (the measured
    batch: ``uploads_per_invocation`` uploads of ``readings_per_upload`` readings, each upload one
    patient's); a wearer's first upload of the day is the same request."""

    mix = MIX.sensor
    weight = users_for(sum(mix.values()) / MIX.uploads_per_invocation)
    wait_time = constant_pacing(1)
    abstract = bool(os.environ.get("CLINIC_LOAD_PATIENT_TOKENS")) and not os.environ.get("CLINIC_LOAD_INGEST_FUNCTION")

    def on_start(self) -> None:
        self.users = _sensor_users()
        self.sent = 0

    def _batch(self) -> list[dict[str, Any]]:
        now = int(time.time() * 1000)
        self.sent += 1
        return [{"userId": user, "name": "Heart Rate", "value": random.randint(55, 120), "unit": "bpm",
                 "recordedAt": now - i * 60_000, "source": "load.kit",
                 "sourceReadingId": f"{id(self)}-{self.sent}-{upload}-{i}"}
                for upload, user in enumerate(random.choices(self.users, k=MIX.uploads_per_invocation))
                for i in range(MIX.readings_per_upload)]

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

    weight = users_for(MIX.live_connects * SESSION_S)
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
    print(f"load mix: {full} users send the {MIX.patients:,}-patient peak of workload {MIX.workload} "
          f"({', '.join(f'{c.__name__} {c.weight}' for c in classes)}); {users} users = {users / full:.1%} of it")
    for who, mix, paths in (("patient", MIX.patient, PATIENT_PATHS), ("staff", MIX.staff, STAFF_PATHS)):
        out = left_out(mix, paths)
        print(f"  not sent ({who} writes, {sum(out.values()) / sum(mix.values()):.1%} of their calls): "
              + ", ".join(sorted(out)))
