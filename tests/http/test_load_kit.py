"""The load kit (capacity/locustfile.py) runs against the local runner: a short headless Locust
run on loopback, every scenario sending, no request failing. No timing is asserted: the figures
of a real run are in docs/decisions.md."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from tests.http.conftest import ROOT
from tests.http.test_runner_cli import _clean_env

pytestmark = pytest.mark.http

# The first request of each scenario (patients, staff, sensor pipelines, live sessions): a short
# run on a busy machine may not reach the others, which is no failure.
FIRST_OF_EACH = {"(setup) /appointments", "(setup) /admin/patients", "IngestReadingsFunction", "$connect"}


def test_a_short_run_of_every_scenario_against_the_runner_has_no_failures(api, local_stack_state, tmp_path):
    # Given the running stack's state file and a live session of one second
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    # (a busy machine's slow handshake is not what this test is about: it may take a minute)
    env = {**_clean_env(), "CLINIC_STATE_FILE": str(state), "CLINIC_LOAD_SESSION_S": "1",
           "CLINIC_LOAD_WS_TIMEOUT_S": "60", "PYTHONPATH": str(ROOT)}
    # When 16 users run the kit's mix for 12 seconds
    run = subprocess.run(
        [sys.executable, "-m", "locust", "-f", "capacity/locustfile.py", "--headless", "-H", local_stack_state.api_url,
         "-u", "16", "-r", "16", "-t", "12s", "--stop-timeout", "60", "--csv", str(tmp_path / "run"),
         "--only-summary"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    # Then every scenario sent requests and none failed
    report = "\n".join(line for line in (run.stdout + run.stderr).splitlines() if not line.startswith("{"))
    assert run.returncode == 0, report[-3000:]
    assert "users send the 1,000,000-patient peak of workload 1M" in run.stdout
    with open(tmp_path / "run_stats.csv") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh) if r["Name"] != "Aggregated"}
    assert set(rows) >= FIRST_OF_EACH, report[-3000:]
    assert all(int(r["Request Count"]) > 0 and int(r["Failure Count"]) == 0 for r in rows.values())
