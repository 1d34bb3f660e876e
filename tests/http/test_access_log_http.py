"""GET /me/access-log over HTTP, against the local runner: a staff member's read of a patient's
biomarkers shows in that patient's log (name and role, no ids), newest first and paged, and in
no one else's."""

from __future__ import annotations

import json

import pytest

from tests.http.suite import assert_error

pytestmark = pytest.mark.http


def _me(api, token):
    return api.get("/me", token=token).json()


def _log(api, token, **params):
    response = api.get("/me/access-log", token=token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_staff_read_of_a_patients_biomarkers_shows_in_their_access_log_only(api):
    patient, other = _me(api, api.patient_token), _me(api, api.other_patient_token)
    staff = _me(api, api.admin_token)
    # Given a staff member reads the patient's biomarkers
    read = api.get(f"/admin/patients/{patient['userId']}/biomarkers", token=api.admin_token, params={"limit": 1})
    assert read.status_code == 200, read.text
    # When the patient opens their access log
    body = _log(api, api.patient_token, limit=5)
    # Then the newest entry is that read, by the staff member's name and role, with no ids
    newest = body["items"][0]
    assert (newest["action"], newest["recordKind"]) == ("read", "biomarkers")
    assert newest["actor"] == {"name": staff.get("name") or "Clinic staff", "role": "admin"}
    text = json.dumps(body)
    assert all(i not in text for i in (patient["userId"], other["userId"], staff["userId"]))
    # And the other patient's log never shows it
    theirs = _log(api, api.other_patient_token, limit=100)["items"]
    assert not any(e["at"] == newest["at"] and e["recordKind"] == "biomarkers" for e in theirs)


def test_the_access_log_is_newest_first_and_paged(api):
    patient = _me(api, api.patient_token)
    for path in ("", "/appointments", "/medications"):
        assert api.get(f"/admin/patients/{patient['userId']}{path}", token=api.admin_token).status_code == 200
    first = _log(api, api.patient_token, limit=2)
    second = _log(api, api.patient_token, limit=2, cursor=first["nextCursor"])
    kinds = [e["recordKind"] for e in first["items"] + second["items"]][:3]
    assert kinds == ["medications", "appointments", "profile"]
    times = [e["at"] for e in first["items"] + second["items"]]
    assert times == sorted(times, reverse=True)


def test_a_cursor_from_another_patient_is_a_400(api):
    other = _me(api, api.other_patient_token)
    for _ in range(2):
        assert api.get(f"/admin/patients/{other['userId']}", token=api.admin_token).status_code == 200
    theirs = _log(api, api.other_patient_token, limit=1)
    assert theirs["nextCursor"]
    assert_error(api.get("/me/access-log", token=api.patient_token, params={"cursor": theirs["nextCursor"]}),
                 400, "validation_error")


def test_unknown_parameters_are_a_400(api):
    assert_error(api.get("/me/access-log", token=api.patient_token, params={"patientId": "x"}),
                 400, "validation_error")
