"""The profile's reminder switch and the access-log panel in headless Chromium against the local
runner (web/e2e/profile_access_log.mjs): the switch survives a reload, the panel shows a staff
read made through the API (name and role, newest first, paged), and axe-core finds nothing
serious on either."""

from __future__ import annotations

import pytest

from tests.support import browser

pytestmark = pytest.mark.http



def test_the_reminder_switch_and_the_access_log_in_a_browser(api, local_stack_state, tmp_path):
    # Given a seeded demo patient whose record a staff member read through the API: enough reads
    # for a second page, the biomarkers last
    patient = next(a for a in local_stack_state.accounts if a["role"] == "patient")
    staff = api.get("/me", token=api.admin_token).json()
    for path in ["", "/appointments", "/medications", "/stats"] * 3 + ["/biomarkers"]:
        read = api.get(f"/admin/patients/{patient['userId']}{path}", token=api.admin_token)
        assert read.status_code == 200, read.text
    # When the page is driven
    report = browser.run("profile_access_log.mjs", {"baseUrl": api.base_url, "patient": patient["email"],
                                  "staffName": staff.get("name") or "Clinic staff"}, tmp_path, timeout=300)
    # Then every expectation held
    assert (report["initially"], report["afterOff"], report["afterOn"]) == (True, False, True)
    assert report["secondPage"] > 0
    assert set(report["axe"]) == {"profile", "access log"} and not any(report["axe"].values())
