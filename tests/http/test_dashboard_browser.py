"""The demo dashboard (web/) in headless Chromium against the local runner: sign in with the
demo-account picker, the stats widget equals GET /biomarkers/stats, a reading ingested through the
internal ingest entry point updates it live without a reload, and another patient's open page does
not change; a refill request shows as pending, and staff approving it through the API reaches the
open page live (the note, one refill fewer, no reload); the appointments type filter and paging
reach the API. The browser side is web/e2e/dashboard.mjs
(playwright-core driving Debian's chromium)."""

from __future__ import annotations

import json
import sys
import time

import pytest
import requests

from clinic import catalog
from tests.support import browser

pytestmark = pytest.mark.http




def _latest_statuses(api_url: str, token: str) -> dict[str, str]:
    statuses: dict[str, str] = {}
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = requests.get(f"{api_url}/biomarkers/latest", params=params,
                            headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        statuses.update({r["name"]: r["status"] for r in page["items"]})
        cursor = page["nextCursor"]
        if not cursor:
            return statuses


def test_the_dashboard_shows_the_stats_and_updates_live_for_its_patient_only(api, local_stack_state, tmp_path):
    patients = [a for a in local_stack_state.accounts if a["role"] == "patient"]
    patient, other = patients[0], patients[1]
    # Given a newer, out-of-range reading of a biomarker whose latest reading is in range: it must
    # move one biomarker into "out of range" (the widget counts latest readings only)
    statuses = _latest_statuses(api.base_url, api.patient_token)
    reference = next(catalog.CATALOG[name] for name, status in sorted(statuses.items())
                     if status != catalog.OUT_OF_RANGE and name in catalog.CATALOG)
    reading = {"userId": patient["userId"], "name": reference.name, "value": reference.normal[1] * 3 + 1,
               "unit": reference.unit, "recordedAt": int(time.time() * 1000),
               "source": "browser.test", "sourceReadingId": "browser-test-1"}
    readings = tmp_path / "readings.jsonl"
    readings.write_text(json.dumps(reading) + "\n")
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    # When the page is driven through the scenario
    report = browser.run("dashboard.mjs", {
        "baseUrl": api.base_url, "patient": patient["email"], "otherPatient": other["email"],
        "staffToken": api.admin_token,  # the seeded staff member decides the page's refill request
        # the internal ingest entry point, as a pipeline reaches it (`clinic-local ingest`)
        "ingest": [sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "ingest", str(readings)],
    }, tmp_path, timeout=240)
    # Then every expectation held, and the report shows the numbers it compared
    assert report["after"]["total"] == report["before"]["total"]
    assert report["after"]["outOfRange"]["count"] == report["before"]["outOfRange"]["count"] + 1
    assert report["otherAfter"] == report["otherBefore"]
    assert report["refilled"]["after"] == report["refilled"]["before"] - 1
    assert "Refill approved" in report["refilled"]["note"]
    assert report["labAppointments"] > 0
