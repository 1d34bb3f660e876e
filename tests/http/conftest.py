"""The local runner, started as its own process (as `make dev` starts it), for the HTTP suite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clinic_local import stack as local_stack
from clinic_local import tokens
from tests.http.client import Api
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# The suite mints one token per role for the whole session, which outlives the template's
# 5-minute tokens; the lifetime itself is tested in tests/integration/auth/test_stale_tokens.py.
os.environ.setdefault(tokens.OVERRIDE, "3600")


def _start_runner(state_file: Path, log: Any) -> tuple[subprocess.Popen[bytes], int] | None:
    """Start `clinic-local dev` on free ports; None if it exited early (a port taken meanwhile)."""
    api_port, moto_port, ws_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}
    # Every test calls from 127.0.0.1: the per-address limit stays as deployed, but the per-IP one
    # (30 sign-in links a window) would cap the whole suite; it is tested in tests/integration/auth.
    env.update({"PYTHONUNBUFFERED": "1", "EMAIL_LINK_MAX_PER_IP": "1000"})
    process = subprocess.Popen(
        [sys.executable, "-m", "clinic_local.cli", "--state-file", str(state_file), "dev",
         "--port", str(api_port), "--moto-port", str(moto_port), "--ws-port", str(ws_port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while not state_file.exists():
        if process.poll() is not None:
            return None
        if time.monotonic() > deadline:
            process.kill()
            return None
        time.sleep(0.2)
    return process, api_port


@pytest.fixture(scope="session")
def local_stack_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[local_stack.LocalStack]:
    state_file = tmp_path_factory.mktemp("runner") / "stack.json"
    log = open(state_file.with_suffix(".log"), "w")  # noqa: SIM115 - closed at teardown
    started = _start_runner(state_file, log) or _start_runner(state_file, log)
    if started is None:
        log.close()
        pytest.fail("local runner did not start:\n" + state_file.with_suffix(".log").read_text()[-3000:])
    process, api_port = started
    stack = local_stack.LocalStack.load(state_file)
    stack.api_url = f"http://127.0.0.1:{api_port}"  # type: ignore[attr-defined]
    stack.log_path = state_file.with_suffix(".log")  # type: ignore[attr-defined]
    yield stack
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)  # it stops in ~1.5 s
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail("the runner did not stop within 20 s of Ctrl-C:\n" + stack.log_path.read_text()[-3000:])  # type: ignore[attr-defined]
    finally:
        log.close()
    assert process.returncode == 0, "the runner should stop cleanly on Ctrl-C"
    assert not state_file.exists(), "the runner should remove its state file when it stops"


@pytest.fixture(scope="session")
def api(local_stack_state: local_stack.LocalStack) -> Api:
    """The suite's one entry point: base URL and a token per role, here from the local pool."""
    accounts = {a["role"] if a["role"] == "admin" else None: a for a in local_stack_state.accounts}
    patients = [a for a in local_stack_state.accounts if a["role"] == "patient"]
    admin = accounts["admin"]

    def token(account: dict[str, str]) -> str:
        return local_stack.id_token(local_stack_state, account["email"], account["password"])

    return Api(
        base_url=local_stack_state.api_url,  # type: ignore[attr-defined]
        patient_token=token(patients[0]),
        other_patient_token=token(patients[1]),
        admin_token=token(admin),
    )



@pytest.fixture(scope="session")
def idp(local_stack_state: local_stack.LocalStack) -> Any:
    """botocore's own cognito-idp client on the runner's user-pool API (what the page calls)."""
    import boto3
    from botocore.config import Config

    from clinic_local.cognito_api import PATH

    # No retries: a 5xx would otherwise be retried into a misleading refusal of a spent session.
    return boto3.client("cognito-idp", endpoint_url=local_stack_state.api_url + PATH,  # type: ignore[attr-defined]
                        region_name=local_stack_state.region, aws_access_key_id="local",
                        aws_secret_access_key="local", config=Config(retries={"total_max_attempts": 1}))
