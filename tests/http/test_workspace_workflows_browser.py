"""The workspace's refill queue and reading corrections against the routes that serve them, with
the patient's page open beside it (web/e2e/workspace_workflows.test.mjs): an approved refill
shows on the patient's open page without a reload, and a corrected reading moves the patient's
stats widget. It runs once the template has those routes."""

from __future__ import annotations

import pytest

from tests.support import browser

pytestmark = pytest.mark.http



def test_a_refill_approved_and_a_reading_corrected_show_on_the_patients_open_page(local_stack_state, tmp_path):
    # Given a seeded staff member and the seeded patient with the shorter history
    seeded = [a for a in local_stack_state.accounts if a["email"].endswith("@demo.clinic.test")]
    staff = next(a for a in seeded if a["role"] == "admin")
    patient = [a for a in seeded if a["role"] == "patient"][-1]
    # When a refill is approved and a reading corrected in the workspace
    report = browser.run("workspace_workflows.test.mjs", {"baseUrl": local_stack_state.api_url, "staff": staff["email"],
                                  "patient": patient["email"]}, tmp_path, timeout=300)
    # Then the patient's open page showed both
    assert report["refill"]["after"] == report["refill"]["before"] - 1 and report["decidedAgain"] == 409
    assert report["correction"]["outOfRange"][1] == report["correction"]["outOfRange"][0] + 1
