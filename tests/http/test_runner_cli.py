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
