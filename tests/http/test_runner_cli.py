"""The runner's command line: `token`, and attaching to an endpoint given by AWS_ENDPOINT_URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from clinic_local import stack as local_stack
from tests.http.conftest import ROOT
from tests.support.ports import free_port

pytestmark = pytest.mark.http


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}


def test_token_command_prints_a_working_id_token(api, local_stack_state, tmp_path):
    # Given the running stack's state file
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    email = local_stack_state.accounts[0]["email"]
    # When the CLI is asked for a token
    out = subprocess.run([sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "token", email],
                         cwd=ROOT, env=_clean_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip()
    # Then it is one JWT that the API accepts
    assert token.count(".") == 2 and "\n" not in token
    assert api.get("/biomarkers/stats", token=token).status_code == 200


def test_token_command_for_an_unknown_email_fails_with_a_hint(local_stack_state, tmp_path):
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    out = subprocess.run([sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "token", "x@y.z"],
                         cwd=ROOT, env=_clean_env(), capture_output=True, text=True)
    assert out.returncode == 2 and "known:" in out.stderr


def test_with_aws_endpoint_url_the_runner_uses_it_and_starts_no_moto(tmp_path):
    # Given a moto server of our own, and the runner's default moto port held busy
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    api_port, state = free_port(), tmp_path / "stack.json"
    env = _clean_env() | {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "dev", "--port", str(api_port),
         "--moto-port", str(busy.getsockname()[1]), "--ws-port", str(free_port())],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not state.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        # Then it came up (it did not try the busy port) and its tables live on our endpoint
        assert state.exists(), "runner did not start against the given endpoint"
        tables = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="x").list_tables()["TableNames"]
        assert "clinic-local-BiomarkersTable" in tables
        assert requests.get(f"http://127.0.0.1:{api_port}/biomarkers/stats", timeout=10).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=20)
        busy.close()
        server.stop()


def test_an_endpoint_restarted_empty_is_said_once_and_provisioned_and_seeded_again(tmp_path):
    # Given the runner on an endpoint of our own
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    api_port, state, log_path = free_port(), tmp_path / "stack.json", tmp_path / "runner.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "dev", "--port", str(api_port),
         "--ws-port", str(free_port())],
        cwd=ROOT, env=_clean_env() | {"AWS_ENDPOINT_URL": endpoint, "PYTHONUNBUFFERED": "1"},
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        first = _wait_for_stack(state, process, log_path)
        # When that endpoint restarts empty
        server.stop()
        time.sleep(1)  # the runner polls its streams every 50 ms: let it find the endpoint gone
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        requests.post(f"{endpoint}/moto-api/reset", timeout=30)  # this process's moto kept its state: forget it
        # Then the runner provisions and seeds it again (a new user pool), and the API works
        deadline = time.monotonic() + 180
        while True:
            again = _wait_for_stack(state, process, log_path)
            if again.user_pool_id != first.user_pool_id or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert again.user_pool_id != first.user_pool_id, log_path.read_text()[-3000:]
        account = again.accounts[0]
        token = local_stack.id_token(again, account["email"], account["password"])
        answer = requests.get(f"http://127.0.0.1:{api_port}/biomarkers/stats",
                              headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == 200
        # And it said what happened in a line or two, not once per failed poll
        output = log_path.read_text()
        assert output.count("was restarted empty") == 1
        assert output.count("[runner] the AWS endpoint") <= 3
        assert "stream polling failed" not in output
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        server.stop()


def _wait_for_stack(state, process, log_path):
    """The stack the runner wrote to its state file, once it has (failing with its log if it stops)."""
    deadline = time.monotonic() + 180
    while True:
        if state.exists():
            try:
                return local_stack.LocalStack.load(state)
            except ValueError:  # being written
                pass
        assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
        time.sleep(0.2)
