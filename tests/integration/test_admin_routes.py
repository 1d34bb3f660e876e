"""Clinic staff routes: only for the admin group, only for existing patients, and every read or
change of a patient's records leaves an Audit record (changes: in the same transaction)."""

import pytest

from clinic import aws, settings
from clinic.repositories import audit_table, users_table
from clinic.services import readings
from clinic_tools import template
from tests.support.api import ADMIN_SUB, OTHER_SUB, call
from tests.support.data import DAY_MS, NOW_MS, new_reading
from tests.support.events import EVENT_SUB

STAFF_ROUTES = sorted(r.function for r in template.routes() if r.path.startswith("/admin/"))


def audit_of(patient_id):
    return audit_table.page(patient_id=patient_id, actor_id=None, limit=100, after=None).items


def add_user(user_id, *, email, role="patient", created_at=NOW_MS, name=None):
    users_table.put({"userId": user_id, "email": email, "role": role, "createdAt": created_at,
                     **({"name": name} if name else {})})


@pytest.fixture
def patient(tables):
    add_user(EVENT_SUB, email="patient@example.com", name="Pat Ient")
    return EVENT_SUB


@pytest.mark.parametrize("function", STAFF_ROUTES)
def test_a_patient_on_a_staff_route_is_a_403_before_any_input_is_read(invoke, patient, ddb_calls, function):
    # Even with a path and body that would be invalid: authorization comes first
    reply = call(invoke, function, path={"userId": "x" * 200, "appointmentId": "!", "medicationId": "!"},
                 raw_body="not json")
    assert reply.status == 403 and reply.error_code == "forbidden"
    assert ddb_calls.total == 0


@pytest.mark.parametrize(("function", "body"), [
    ("GetPatientFunction", None), ("GetPatientStatsFunction", None), ("ListPatientBiomarkersFunction", None),
    ("ListPatientAppointmentsFunction", None), ("ListPatientMedicationsFunction", None),
    ("CreatePatientAppointmentFunction", {"type": "lab", "startTime": NOW_MS + DAY_MS}),
    ("CreatePatientMedicationFunction", {"name": "Drug", "dose": "1 mg"}),
    ("RecordPatientBiomarkersFunction", {"readings": [{"name": "Glucose", "value": 85, "unit": "mg/dL",
                                                       "recordedAt": NOW_MS, "sourceReadingId": "r1"}]}),
])
def test_staff_routes_on_someone_who_is_not_a_user_are_a_404_and_write_nothing(invoke, tables, function, body):
    reply = call(invoke, function, admin=True, path={"userId": OTHER_SUB}, body=body)
    assert reply.status == 404
    assert audit_of(OTHER_SUB) == []


@pytest.mark.parametrize(("function", "resource"), [
    ("GetPatientFunction", "profile"), ("GetPatientStatsFunction", "stats"),
    ("ListPatientBiomarkersFunction", "biomarkers"), ("ListPatientAppointmentsFunction", "appointments"),
    ("ListPatientMedicationsFunction", "medications"),
])
def test_every_staff_read_of_a_patient_is_audited(invoke, patient, function, resource):
    reply = call(invoke, function, admin=True, sub=ADMIN_SUB, path={"userId": patient})
    assert reply.status == 200
    (record,) = audit_of(patient)
    assert (record["actorId"], record["userId"], record["action"], record["resource"]) == (
        ADMIN_SUB, patient, "read", resource)
    assert abs(record["at"] - NOW_MS) < DAY_MS and record["requestId"]


def test_a_staff_change_and_its_audit_record_are_one_transaction(invoke, patient, ddb_calls):
    ddb_calls.reset()
    reply = call(invoke, "CreatePatientMedicationFunction", admin=True, sub=ADMIN_SUB, path={"userId": patient},
                 body={"name": "Metformin", "dose": "500 mg", "refills": 2})
    assert reply.status == 201
    assert ddb_calls.operations["TransactWriteItems"] == 1 and "PutItem" not in ddb_calls.operations
    (record,) = audit_of(patient)
    assert (record["action"], record["resource"]) == ("create", "medication")


def test_a_staff_change_that_loses_its_condition_leaves_no_audit_record(invoke, patient):
    reply = call(invoke, "CreatePatientAppointmentFunction", admin=True, path={"userId": patient},
                 body={"type": "lab", "startTime": NOW_MS + DAY_MS})
    path = {"userId": patient, "appointmentId": reply.body["appointmentId"]}
    before = len(audit_of(patient))
    refused = call(invoke, "UpdatePatientAppointmentFunction", admin=True, path=path, body={"action": "no-show"})
    assert refused.status == 409 and len(audit_of(patient)) == before


def test_lab_entry_goes_through_the_readings_write_path(invoke, patient):
    body = {"readings": [
        {"name": "Glucose", "value": 85, "unit": "mg/dL", "recordedAt": NOW_MS, "sourceReadingId": "rpt-1/1"},
        {"name": "LDL Cholesterol", "value": 150, "unit": "mg/dL", "recordedAt": NOW_MS, "sourceReadingId": "rpt-1/2"},
    ]}
    reply = call(invoke, "RecordPatientBiomarkersFunction", admin=True, path={"userId": patient}, body=body)
    assert reply.status == 200 and [r["outcome"] for r in reply.body["results"]] == ["accepted", "accepted"]
    # The summary is maintained (stats), and a resubmission is a duplicate, not a second reading
    stats = call(invoke, "GetPatientStatsFunction", admin=True, path={"userId": patient}).body
    assert (stats["total"], stats["counts"]["outOfRange"]) == (2, 1)
    again = call(invoke, "RecordPatientBiomarkersFunction", admin=True, path={"userId": patient}, body=body)
    assert [r["outcome"] for r in again.body["results"]] == ["duplicate", "duplicate"]
    assert [r["action"] for r in audit_of(patient)].count("create") == 2


def test_lab_entry_with_a_refused_result_records_nothing(invoke, patient):
    body = {"readings": [
        {"name": "Glucose", "value": 85, "unit": "mg/dL", "recordedAt": NOW_MS, "sourceReadingId": "a"},
        {"name": "Glucose", "value": 4.7, "unit": "mmol/L", "recordedAt": NOW_MS, "sourceReadingId": "b"},
    ]}
    reply = call(invoke, "RecordPatientBiomarkersFunction", admin=True, path={"userId": patient}, body=body)
    assert reply.status == 400 and reply.body["error"]["details"][0]["field"] == "readings.1"
    assert "4.7" not in reply.raw["body"] and "Glucose" not in reply.raw["body"]
    assert audit_of(patient) == []
    assert call(invoke, "GetPatientStatsFunction", admin=True, path={"userId": patient}).body["total"] == 0


def test_patients_are_listed_newest_first_and_each_listing_is_audited(invoke, tables):
    for i in range(5):
        add_user(f"patient-{i}", email=f"p{i}@example.com", created_at=NOW_MS - i * DAY_MS)
    add_user(ADMIN_SUB, email="staff@example.com", role="admin")
    first = call(invoke, "ListPatientsFunction", admin=True, sub=ADMIN_SUB, query={"limit": 3}).body
    second = call(invoke, "ListPatientsFunction", admin=True, sub=ADMIN_SUB,
                  query={"limit": 3, "cursor": first["nextCursor"]}).body
    assert [u["userId"] for u in first["items"] + second["items"]] == [f"patient-{i}" for i in range(5)]
    assert second["nextCursor"] is None
    assert all(len(audit_of(f"patient-{i}")) == 1 for i in range(5))


def test_exact_email_lookup_through_the_email_index(invoke, tables, ddb_calls):
    add_user("patient-1", email="ava.patel@example.com")
    add_user("patient-2", email="ava.patel2@example.com")
    ddb_calls.reset()
    body = call(invoke, "ListPatientsFunction", admin=True, query={"email": "Ava.Patel@Example.com"}).body
    assert [u["userId"] for u in body["items"]] == ["patient-1"] and body["nextCursor"] is None
    assert ddb_calls.operations["Query"] == 1 and "Scan" not in ddb_calls.operations
    assert call(invoke, "ListPatientsFunction", admin=True, query={"email": "nobody@example.com"}).body["items"] == []


@pytest.fixture
def user_pool(tables, monkeypatch):
    idp = aws.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="test", UsernameAttributes=["email"])["UserPool"]["Id"]
    idp.create_group(UserPoolId=pool_id, GroupName="admin")
    created = idp.admin_create_user(UserPoolId=pool_id, Username="patient@example.com", MessageAction="SUPPRESS")
    sub = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    settings.reset()
    yield idp, pool_id, sub
    monkeypatch.delenv("USER_POOL_ID")
    settings.reset()


def groups_of(idp, pool_id, user_id):
    return [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=user_id)["Groups"]]


def test_role_change_moves_the_user_in_cognito_and_in_the_users_table(invoke, user_pool):
    idp, pool_id, sub = user_pool
    add_user(sub, email="patient@example.com")
    reply = call(invoke, "SetUserRoleFunction", admin=True, sub=ADMIN_SUB, path={"userId": sub}, body={"role": "admin"})
    assert reply.status == 200 and reply.body["role"] == "admin"
    assert groups_of(idp, pool_id, sub) == ["admin"] and users_table.get(sub)["role"] == "admin"
    audited = [(r["action"], r["resource"], r["actorId"]) for r in audit_of(sub)]
    assert audited == [("role-change", "role:patient->admin", ADMIN_SUB)]
    # Listing patients no longer shows them (the row moved to the admin partition of ByRole)
    assert call(invoke, "ListPatientsFunction", admin=True).body["items"] == []
    back = call(invoke, "SetUserRoleFunction", admin=True, path={"userId": sub}, body={"role": "patient"})
    assert back.status == 200 and groups_of(idp, pool_id, sub) == [] and users_table.get(sub)["role"] == "patient"
    # Who changed whose role from what to what: the demotion records the role it replaced.
    assert sorted(r["resource"] for r in audit_of(sub)) == ["role:admin->patient", "role:patient->admin"]


def test_staff_cannot_change_their_own_role(invoke, user_pool):
    # The last staff member demoting themselves would leave the clinic with none.
    add_user(ADMIN_SUB, email="staff@example.com", role="admin")
    reply = call(invoke, "SetUserRoleFunction", admin=True, sub=ADMIN_SUB, path={"userId": ADMIN_SUB},
                 body={"role": "patient"})
    assert (reply.status, reply.error_code) == (409, "conflict"), reply.body
    assert users_table.get(ADMIN_SUB)["role"] == "admin" and audit_of(ADMIN_SUB) == []


@pytest.mark.parametrize("body", [{"role": "superuser"}, {"role": "admin", "userId": "x"}, {}, {"role": 1}])
def test_bad_role_changes_are_a_400(invoke, user_pool, body):
    _, _, sub = user_pool
    add_user(sub, email="patient@example.com")
    reply = call(invoke, "SetUserRoleFunction", admin=True, path={"userId": sub}, body=body)
    assert reply.status == 400 and users_table.get(sub)["role"] == "patient"


def test_role_change_of_an_unknown_user_is_a_404(invoke, user_pool):
    assert (
        call(invoke, "SetUserRoleFunction", admin=True, path={"userId": OTHER_SUB}, body={"role": "admin"}).status
        == 404
    )


def test_audit_lists_by_patient_and_by_actor_newest_first(invoke, patient):
    for _ in range(3):
        call(invoke, "GetPatientFunction", admin=True, sub=ADMIN_SUB, path={"userId": patient})
    call(invoke, "GetPatientStatsFunction", admin=True, sub="another-staff", path={"userId": patient})
    by_patient = call(invoke, "ListAuditEventsFunction", admin=True, query={"patientId": patient, "limit": 10}).body
    assert [e["actorId"] for e in by_patient["items"]] == ["another-staff", ADMIN_SUB, ADMIN_SUB, ADMIN_SUB]
    assert by_patient["items"][0]["patientId"] == patient
    by_actor = call(invoke, "ListAuditEventsFunction", admin=True, query={"actorId": ADMIN_SUB, "limit": 2}).body
    assert len(by_actor["items"]) == 2 and by_actor["nextCursor"]
    more = call(
        invoke,
        "ListAuditEventsFunction",
        admin=True,
        query={"actorId": ADMIN_SUB, "limit": 2, "cursor": by_actor["nextCursor"]},
    ).body
    assert len(more["items"]) == 1 and more["nextCursor"] is None


@pytest.mark.parametrize("query", [{}, {"patientId": "a", "actorId": "b"}, {"patientId": "../x"}])
def test_audit_needs_exactly_one_subject(invoke, tables, query):
    assert call(invoke, "ListAuditEventsFunction", admin=True, query=query).status == 400


def test_staff_list_of_a_patients_biomarkers_uses_the_same_filters(invoke, patient):
    readings.record(patient, [new_reading("Glucose", 250, NOW_MS), new_reading("LDL Cholesterol", 50, NOW_MS)])
    body = call(
        invoke, "ListPatientBiomarkersFunction", admin=True, path={"userId": patient}, query={"status": "out-of-range"}
    ).body
    assert [r["name"] for r in body["items"]] == ["Glucose"]


def test_lab_entry_costs_4_requests_after_the_account_check_whatever_the_number_of_readings(invoke, patient, ddb_calls):
    # Given a lab entry of a 3-biomarker panel for an existing patient
    panel = [("Glucose", 85, "mg/dL", "g"), ("Hemoglobin A1c", 5.4, "%", "a"), ("LDL Cholesterol", 90, "mg/dL", "l")]
    body = {"readings": [{"name": name, "value": value, "unit": unit, "recordedAt": NOW_MS, "sourceReadingId": rid}
                         for name, value, unit, rid in panel]}
    ddb_calls.reset()
    # When staff record it
    reply = call(invoke, "RecordPatientBiomarkersFunction", admin=True, sub=ADMIN_SUB, path={"userId": patient},
                 body=body)
    # Then: the staff account check (the caller's Users item and, as this fixture's staff member has
    # none, the deletion mark), the patient check, the audit record, one packed summary read, and
    # one transaction that stores the readings with the summary change (docs/decisions.md)
    assert reply.status < 300, reply.body
    assert dict(ddb_calls.operations) == {"GetItem": 3, "PutItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
