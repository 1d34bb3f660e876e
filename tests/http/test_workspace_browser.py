"""The staff workspace (web/src/workspace/) in headless Chromium against the local runner
(web/e2e/workspace.mjs): a patient's page neither shows nor downloads it and the API refuses the
patient a staff route; a seeded staff member signs in with the email link and the authenticator
code, finds a patient by the start of their family name (typed in capitals; staff never listed; too
short a search said in words) and by exact email, opens their page (stats as the API answers them), has a lab
result with the wrong unit refused in words, records one and sees it listed, confirms an
appointment, edits a medication's dose (and puts it back), prescribes one, pages the audit log
with "More" and exports it; axe-core finds no serious or critical violation on any view and the
views fit a 375 px phone with 44 px touch targets."""

from __future__ import annotations

import pytest

from tests.support import browser

pytestmark = pytest.mark.http



def test_staff_work_on_a_patients_record_in_the_workspace(local_stack_state, tmp_path):
    # Given seeded accounts (the fuzzer deletes and demotes accounts it made, never these): the
    # staff member, the patient with the shorter history to work on, and the other one
    seeded = [a for a in local_stack_state.accounts if a["email"].endswith("@demo.clinic.test")]
    staff = next(a for a in seeded if a["role"] == "admin")
    patients = [a for a in seeded if a["role"] == "patient"]
    patient, other = patients[-1], patients[0]
    # When the workspace is driven through a staff member's work
    report = browser.run("workspace.mjs", {
        "baseUrl": local_stack_state.api_url, "log": str(local_stack_state.log_path), "patient": patient["email"],
        "otherPatient": other["email"], "staff": {"email": staff["email"], "totpSecret": staff["totpSecret"]},
    }, tmp_path, timeout=300)
    # Then every expectation held, with what it compared in its report
    assert (report["patientLoadedWorkspace"], report["patientOnStaffRoute"]) == (0, 403)
    assert report["nameSearch"]["listed"] >= 1 and report["nameSearch"]["staffListed"] is False
    assert report["labRefused"].startswith("Not recorded: ") and report["labResult"]["source"]
    assert report["appointment"] == "scheduled" and report["medicationEdited"] and report["prescribed"]
    assert report["auditRows"] > 20 and report["auditExported"] >= report["auditRows"]
    assert report["account"] == [False, True]  # disabled, then enabled again, as the API has it
    assert set(report["axe"]) >= {"patients", "patients by name", "patient page", "lab entry", "medications", "account",
                                  "another patient's page", "audit log", "patient page (phone)", "audit log (phone)"}
    assert not any(report["axe"].values())
    assert all(width <= 375 for width in report["layout"].values())
