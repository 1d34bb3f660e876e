"""The profile's reminder switch and the access-log panel in headless Chromium against the local
runner (web/e2e/profile_access_log.mjs): the switch survives a reload, the panel shows a staff
read made through the API (name and role, newest first, paged), and axe-core finds nothing
serious on either."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.http.conftest import ROOT
from tests.http.test_dashboard_browser import _require_browser

pytestmark = pytest.mark.http

SCRIPT = ROOT / "web" / "e2e" / "profile_access_log.mjs"


def test_the_reminder_switch_and_the_access_log_in_a_browser(api, local_stack_state, tmp_path):
    _require_browser()
    # Given a seeded demo patient whose record a staff member read through the API: enough reads
    # for a second page, the biomarkers last
    patient = next(a for a in local_stack_state.accounts if a["role"] == "patient")
    staff = api.get("/me", token=api.admin_token).json()
    for path in ["", "/appointments", "/medications", "/stats"] * 3 + ["/biomarkers"]:
        read = api.get(f"/admin/patients/{patient['userId']}{path}", token=api.admin_token)
        assert read.status_code == 200, read.text
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"baseUrl": api.base_url, "patient": patient["email"],
                                  "staffName": staff.get("name") or "Clinic staff"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}
    # When the page is driven
    done = subprocess.run(["node", str(SCRIPT), str(config)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    # Then every expectation held
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    report = json.loads(lines[-1])
    assert done.returncode == 0 and report["ok"], f"{report}\n{done.stderr[-2000:]}"
    assert (report["initially"], report["afterOff"], report["afterOn"]) == (True, False, True)
    assert report["secondPage"] > 0
    assert set(report["axe"]) == {"profile", "access log"} and not any(report["axe"].values())
