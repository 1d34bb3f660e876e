"""The workspace's refill queue and reading corrections against the routes that serve them, with
the patient's page open beside it (web/e2e/workspace_workflows.test.mjs): an approved refill
shows on the patient's open page without a reload, and a corrected reading moves the patient's
stats widget. It runs once the template has those routes."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.http.conftest import ROOT
from tests.http.test_dashboard_browser import _require_browser

pytestmark = pytest.mark.http

SCRIPT = ROOT / "web" / "e2e" / "workspace_workflows.test.mjs"


def test_a_refill_approved_and_a_reading_corrected_show_on_the_patients_open_page(local_stack_state, tmp_path):
    _require_browser()
    # Given a seeded staff member and the seeded patient with the shorter history
    seeded = [a for a in local_stack_state.accounts if a["email"].endswith("@demo.clinic.test")]
    staff = next(a for a in seeded if a["role"] == "admin")
    patient = [a for a in seeded if a["role"] == "patient"][-1]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"baseUrl": local_stack_state.api_url, "staff": staff["email"],
                                  "patient": patient["email"]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}
    # When a refill is approved and a reading corrected in the workspace
    done = subprocess.run(["node", str(SCRIPT), str(config)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    # Then the patient's open page showed both
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    report = json.loads(lines[-1])
    assert done.returncode == 0 and report["ok"], f"{report}\n{done.stderr[-2000:]}"
    assert report["refill"]["after"] == report["refill"]["before"] - 1 and report["decidedAgain"] == 409
    assert report["correction"]["outOfRange"][1] == report["correction"]["outOfRange"][0] + 1
