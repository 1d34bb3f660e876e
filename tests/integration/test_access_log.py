"""GET /me/access-log: the patient's accounting of disclosures, from their own Audit partition:
which staff member (name and role, never an id) read or changed which kind of record, when and
why, newest first, one Query per page."""

from __future__ import annotations

import json

import pytest

from clinic.repositories import audit_table, users_table
from tests.support.api import ADMIN_SUB, OTHER_SUB, call, request_event
from tests.support.data import NOW_MS
from tests.support.events import EVENT_SUB, response_json

LOG = "ListAccessLogFunction"
IDS = (ADMIN_SUB, EVENT_SUB, OTHER_SUB)


@pytest.fixture
def patients(tables):
    for sub, email in ((EVENT_SUB, "patient@example.com"), (OTHER_SUB, "other@example.com")):
        users_table.put({"userId": sub, "email": email, "role": "patient", "createdAt": NOW_MS})


def staff_read(invoke, function, patient, *, name: str | None = "Dana Staff"):
    event = request_event(function, sub=ADMIN_SUB, admin=True, path={"userId": patient})
    claims = event["requestContext"]["authorizer"]["claims"]
    if name is None:
        del claims["name"]
    else:
        claims["name"] = name
    result = invoke(function, event)
    assert result["statusCode"] == 200, result["body"]
    return response_json(result)


def test_a_staff_read_of_the_patients_biomarkers_is_in_their_access_log(invoke, patients):
    # Given a staff member read the patient's biomarkers
    staff_read(invoke, "ListPatientBiomarkersFunction", EVENT_SUB)
    # When the patient asks who looked at their record
    reply = call(invoke, LOG)
    # Then that read is there: who by name and role, which kind of record, when; no ids
    assert reply.status == 200
    (entry,) = reply.body["items"]
    assert entry["actor"] == {"name": "Dana Staff", "role": "admin"}
    assert (entry["action"], entry["recordKind"]) == ("read", "biomarkers")
    assert abs(entry["at"] - NOW_MS) < 86_400_000
    assert reply.body["nextCursor"] is None
    assert not any(i in json.dumps(reply.body) for i in IDS)


def test_a_staff_token_without_a_name_is_shown_by_the_staff_profiles_name(invoke, patients):
    users_table.put({"userId": ADMIN_SUB, "email": "staff@example.com", "name": "Dr. Carmen Reyes", "role": "admin",
                     "createdAt": NOW_MS})
    staff_read(invoke, "GetPatientStatsFunction", EVENT_SUB, name=None)
    (entry,) = call(invoke, LOG).body["items"]
    assert (entry["actor"], entry["recordKind"]) == ({"name": "Dr. Carmen Reyes", "role": "admin"}, "biomarkers")


def test_the_log_is_newest_first_and_paged_with_signed_cursors(invoke, patients, ddb_calls):
    for function in ("GetPatientFunction", "ListPatientAppointmentsFunction", "ListPatientMedicationsFunction"):
        staff_read(invoke, function, EVENT_SUB)
    ddb_calls.reset()
    first = call(invoke, LOG, query={"limit": 2})
    assert dict(ddb_calls.operations) == {"Query": 1}  # one Query per page, nothing else
    second = call(invoke, LOG, query={"limit": 2, "cursor": first.body["nextCursor"]})
    kinds = [e["recordKind"] for e in first.body["items"] + second.body["items"]]
    assert kinds == ["medications", "appointments", "profile"]
    assert second.body["nextCursor"] is None
    times = [e["at"] for e in first.body["items"] + second.body["items"]]
    assert times == sorted(times, reverse=True)


def test_another_patients_cursor_and_entries_never_show(invoke, patients):
    staff_read(invoke, "GetPatientFunction", OTHER_SUB)
    staff_read(invoke, "GetPatientFunction", OTHER_SUB)
    theirs = call(invoke, LOG, sub=OTHER_SUB, query={"limit": 1})
    assert len(theirs.body["items"]) == 1
    mine = call(invoke, LOG)
    assert mine.body == {"items": [], "nextCursor": None}
    stolen = call(invoke, LOG, query={"cursor": theirs.body["nextCursor"]})
    assert stolen.status == 400


def test_older_records_without_a_name_show_clinic_staff_and_the_patients_own_actions_show_you(invoke, patients):
    # Given a record from before names were kept, a sign-in and a reason given for a change
    audit_table.put(audit_table.new_item(actor_id=ADMIN_SUB, patient_id=EVENT_SUB, action="update",
                                         resource="appointment:abc", at=NOW_MS - 3, request_id="req-1"))
    audit_table.put(audit_table.new_item(actor_id=EVENT_SUB, patient_id=EVENT_SUB, action="sign-in",
                                         resource="session:TokenGeneration_Authentication", at=NOW_MS - 2,
                                         request_id=None))
    audit_table.put(audit_table.new_item(actor_id=ADMIN_SUB, patient_id=EVENT_SUB, action="update",
                                         resource="identifiers", at=NOW_MS - 1, request_id="req-2",
                                         actor_name="Dana Staff", actor_role="admin", reason="lab mix-up"))
    items = call(invoke, LOG).body["items"]
    assert [(e["actor"], e["recordKind"], e.get("reason")) for e in items] == [
        ({"name": "Dana Staff", "role": "admin"}, "identifiers", "lab mix-up"),
        ({"name": "You", "role": "patient"}, "session", None),
        ({"name": "Clinic staff", "role": "admin"}, "appointments", None),
    ]


def test_reason_is_stored_only_when_given(tables):
    plain = audit_table.new_item(actor_id="a", patient_id="p", action="read", resource="profile", at=1,
                                 request_id=None)
    given = audit_table.new_item(actor_id="a", patient_id="p", action="read", resource="profile", at=1,
                                 request_id=None, reason="care coordination")
    assert "reason" not in plain and given["reason"] == "care coordination"


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"cursor": "nonsense"}, {"patientId": "x"}])
def test_bad_parameters_are_a_400(invoke, patients, query):
    reply = call(invoke, LOG, query=query)
    assert reply.status == 400 and reply.error_code == "validation_error"
