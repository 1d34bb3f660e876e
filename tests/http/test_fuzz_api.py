"""Schemathesis against the local runner's own OpenAPI document (/openapi.json): every phase
(examples, coverage, fuzzing, stateful) and every check, a bounded number of cases per operation,
a fixed seed. Patient routes run with a real patient's token, staff routes with a real admin
token. Zero failures allowed: no 5xx, no status, header or body outside the documented
responses, invalid input always refused and valid input accepted, 405 with Allow for a method a
path lacks, and no route that answers without a token. The only failures set aside are the two
rules JSON Schema cannot state (tests/http/fuzz_hooks.py).

`make test` runs CLINIC_FUZZ_EXAMPLES cases per operation (default 5); `make fuzz` runs more."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from clinic_local import stack as local_stack
from clinic_tools import template
from tests.http import fuzz_hooks
from tests.http.client import Api

pytestmark = pytest.mark.http

MAX_EXAMPLES = int(os.environ.get("CLINIC_FUZZ_EXAMPLES", "5"))
SEED = 20261125
PHASES = "examples,coverage,fuzzing,stateful"
HOOKS = Path(__file__).with_name("fuzz_hooks.py")


def schemathesis(api: Api, token: str, path_filter: list[str], report: Path,
                 own: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("st")), "run", f"{api.base_url}/openapi.json", "--url", api.base_url,
        "-H", f"Authorization: Bearer {token}", *path_filter,
        "--phases", PHASES, "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--checks", "all", "--workers", "1", "--request-timeout", "30", "--no-color",
        "--report", "junit", "--report-junit-path", str(report),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
    env.update(own or {})
    return subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False, env=env)


def _own_account(api: Api, stack: local_stack.LocalStack, role: str) -> str:
    email = f"fuzz-{role}-{uuid.uuid4().hex[:8]}@example.com"
    account = local_stack.create_account(stack, email, f"Fuzz {role.title()}", role)
    token = local_stack.id_token(stack, email, account["password"])
    assert api.get("/me", token=token).status_code == 200
    return token


@pytest.fixture(scope="module")
def fuzz_patient(api: Api, local_stack_state: local_stack.LocalStack) -> str:
    """A patient of its own, so the fuzzer's requests and bookings touch no other suite's data."""
    return _own_account(api, local_stack_state, "patient")


@pytest.fixture(scope="module")
def fuzz_admin(api: Api, local_stack_state: local_stack.LocalStack) -> str:
    """A staff member of its own: the fuzzer may change roles, even its own (a demoted admin)."""
    return _own_account(api, local_stack_state, "admin")


def _sub(token: str) -> str:
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def operations_tested(output: str) -> int:
    found = re.search(r"Tested:\s+(\d+)", output)
    return int(found.group(1)) if found else 0


def test_patient_routes_hold_their_contract_under_fuzzing(api, fuzz_patient, tmp_path):
    # DELETE /me goes last, on its own: once it succeeds, every write is a 401 for that token.
    result = schemathesis(api, fuzz_patient, ["--exclude-path-regex", "^/admin/", "--exclude-operation-id", "DeleteMe"],
                          tmp_path / "patient.xml")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert operations_tested(result.stdout) == sum(not r.path.startswith("/admin/") for r in template.routes()) - 1


def test_deleting_the_account_holds_its_contract_under_fuzzing(api, local_stack_state, tmp_path):
    token = _own_account(api, local_stack_state, "patient")
    result = schemathesis(api, token, ["--include-operation-id", "DeleteMe"], tmp_path / "delete.xml")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert operations_tested(result.stdout) == 1


def test_staff_routes_hold_their_contract_under_fuzzing(api, local_stack_state, fuzz_admin, tmp_path):
    # Every account and refill request the staff routes change is the fuzzer's own (fuzz_hooks.before_call).
    patient = _own_account(api, local_stack_state, "patient")
    subject = _sub(patient)
    medication = api.request("POST", f"/admin/patients/{subject}/medications", token=fuzz_admin,
                             json={"name": "Fuzz", "dose": "1 mg", "refills": 3}).json()["medicationId"]
    request = api.request("POST", f"/medications/{medication}/refill-requests", token=patient).json()["requestId"]
    own = {fuzz_hooks.SUBJECT_ENV: subject, fuzz_hooks.REQUEST_ENV: request}
    result = schemathesis(api, fuzz_admin, ["--include-path-regex", "^/admin/"], tmp_path / "staff.xml", own)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert operations_tested(result.stdout) == sum(r.path.startswith("/admin/") for r in template.routes())
