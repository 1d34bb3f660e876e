"""Live updates through the local runner, end to end: WebSocket handshakes through the $connect
function, readings ingested through the ingest function's internal entry point (`clinic-local
ingest`), the streams polled into the fan-out, and frames on the right sockets only."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from clinic_local import stack as local_stack
from tests.http.conftest import ROOT
from tests.http.test_local_cognito_api import sign_in
from tests.http.test_local_sign_in import claims, new_address
from tests.http.test_runner_cli import _clean_env

pytestmark = pytest.mark.http
QUIET_S = 1.5  # how long a socket must stay silent to count as "got nothing"


def patients(stack: local_stack.LocalStack) -> list[dict[str, str]]:
    return [a for a in stack.accounts if a["role"] == "patient"][:2]


@contextmanager
def socket(stack: local_stack.LocalStack, token: str) -> Iterator[ClientConnection]:
    with connect(f"{stack.live['url']}?token={token}", open_timeout=10) as ws:
        yield ws


def silent(ws: ClientConnection, seconds: float = QUIET_S) -> bool:
    try:
        ws.recv(timeout=seconds)
    except TimeoutError:
        return True
    return False


def ingest(stack: local_stack.LocalStack, tmp_path, user_id: str, value: float) -> None:
    """One reading through `clinic-local ingest` (the ingest function, invoked as a pipeline would)."""
    state, readings = tmp_path / "stack.json", tmp_path / "readings.jsonl"
    stack.save(state)
    readings.write_text(json.dumps({
        "userId": user_id, "name": "Glucose", "value": value, "unit": "mg/dL", "recordedAt": int(time.time() * 1000),
        "source": "lab", "sourceReadingId": f"live-{time.time_ns()}"}) + "\n")
    command = [sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "ingest", str(readings)]
    out = subprocess.run(command, cwd=ROOT, env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "1 accepted" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]


def test_a_reading_for_one_patient_tells_only_their_sockets_to_refetch_stats(api, local_stack_state, tmp_path):
    # Given patient A on two sockets (two tabs) and patient B on one
    a, _ = patients(local_stack_state)
    with (socket(local_stack_state, api.patient_token) as a1, socket(local_stack_state, api.patient_token) as a2,
          socket(local_stack_state, api.other_patient_token) as b1):
        # When a reading for A is ingested
        ingest(local_stack_state, tmp_path, a["userId"], 104)
        # Then each of A's sockets is told to refetch stats, once, and B's socket hears nothing
        for ws in (a1, a2):
            assert json.loads(ws.recv(timeout=10)) == {"type": "changed", "topic": "stats"}
        assert silent(b1)
        assert silent(a1, 0.5)  # one message for the one change batch
    # And closing the sockets ran $disconnect: A's connections are forgotten
    assert stored_connections(local_stack_state, a["userId"]) == 0


def stored_connections(stack: local_stack.LocalStack, user_id: str) -> int:
    ddb = local_stack.client("dynamodb", stack.endpoint, stack.region)
    deadline = time.monotonic() + 10
    while True:
        count = ddb.query(TableName=stack.tables["ConnectionsTable"], KeyConditionExpression="userId = :u",
                          ExpressionAttributeValues={":u": {"S": user_id}}, Select="COUNT")["Count"]
        if count == 0 or time.monotonic() > deadline:
            return int(count)
        time.sleep(0.1)


def test_a_patients_appointment_request_tells_their_sockets_to_refetch_appointments(api, local_stack_state):
    with socket(local_stack_state, api.patient_token) as a1, socket(local_stack_state, api.other_patient_token) as b1:
        response = api.request("POST", "/appointments", token=api.patient_token,
                               json={"type": "checkup", "startTime": int(time.time() * 1000) + 7 * 86_400_000,
                                     "durationMinutes": 30})
        assert response.status_code == 201, response.text
        assert json.loads(a1.recv(timeout=10)) == {"type": "changed", "topic": "appointments"}
        assert silent(b1)


def test_disabling_an_account_closes_its_open_socket_at_once(api, local_stack_state, idp):
    # Given a newly signed-up patient with the dashboard open
    tokens = sign_in(idp, local_stack_state.client_id, api, local_stack_state, new_address())["AuthenticationResult"]
    user_id = claims(tokens["IdToken"])["sub"]
    with socket(local_stack_state, tokens["IdToken"]) as ws:
        # When staff disable the account
        response = api.request("PUT", f"/admin/users/{user_id}/access", token=api.admin_token,
                               json={"enabled": False})
        assert response.status_code == 200, response.text
        # Then the server closes the socket (it does not wait for the connection's two hours)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    assert stored_connections(local_stack_state, user_id) == 0


@pytest.mark.parametrize("query", ["", "?token=", "?token=not-a-jwt"], ids=["no-token", "empty", "garbage"])
def test_a_handshake_without_a_valid_token_is_refused_with_401(local_stack_state, query):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{local_stack_state.live['url']}{query}", open_timeout=10)
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["error"]["code"] == "unauthorized"


def test_an_access_token_is_refused_with_401(local_stack_state):
    a, _ = patients(local_stack_state)
    idp = local_stack.client("cognito-idp", local_stack_state.endpoint, local_stack_state.region)
    access = idp.admin_initiate_auth(
        UserPoolId=local_stack_state.user_pool_id, ClientId=local_stack_state.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters={"USERNAME": a["email"], "PASSWORD": a["password"]},
    )["AuthenticationResult"]["AccessToken"]
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{local_stack_state.live['url']}?token={access}", open_timeout=10)
    assert refused.value.response.status_code == 401
