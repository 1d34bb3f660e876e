"""PUT /admin/patients/{userId}/identifiers: the MRNs labs know a patient by. One MRN per system
belongs to one patient (a conflict is a 409 that writes nothing), every change is audited in its
own transaction, and ingest resolves identifiers through the look-up items."""

import pytest

from clinic.repositories import audit_table, users_table
from clinic.services import identifiers
from tests.support.api import ADMIN_SUB, OTHER_SUB, call
from tests.support.data import NOW_MS
from tests.support.events import EVENT_SUB

LAB = "urn:oid:2.16.840.1.113883.19.5"
OTHER_LAB = "https://lab.example.org/mrn"


def add_patient(user_id):
    users_table.put({"userId": user_id, "email": f"{user_id[:8]}@example.com", "role": "patient",
                     "createdAt": NOW_MS})


def put_ids(invoke, user_id, *pairs):
    return call(invoke, "SetPatientIdentifiersFunction", admin=True, sub=ADMIN_SUB, path={"userId": user_id},
                body={"identifiers": [{"system": s, "value": v} for s, v in pairs]})


@pytest.fixture
def patients(tables):
    add_patient(EVENT_SUB)
    add_patient(OTHER_SUB)
    return EVENT_SUB, OTHER_SUB


def test_staff_set_a_patients_mrns_and_ingest_resolves_them(invoke, patients):
    reply = put_ids(invoke, EVENT_SUB, (LAB, "MRN-1"), (OTHER_LAB, "77"))
    assert reply.status == 200
    assert reply.body == {"userId": EVENT_SUB, "identifiers": [{"system": LAB, "value": "MRN-1"},
                                                               {"system": OTHER_LAB, "value": "77"}]}
    assert identifiers.resolve([(LAB, "MRN-1"), (OTHER_LAB, "77"), (LAB, "MRN-2")]) == {
        (LAB, "MRN-1"): EVENT_SUB, (OTHER_LAB, "77"): EVENT_SUB}
    (record,) = audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=10, after=None).items
    assert (record["action"], record["resource"], record["actorId"]) == ("update", "identifiers", ADMIN_SUB)
    assert "MRN-1" not in str(record)  # identifiers are PHI: the audit names the resource only


def test_a_new_set_replaces_the_old_one_and_frees_the_removed_mrn(invoke, patients):
    put_ids(invoke, EVENT_SUB, (LAB, "MRN-1"))
    assert put_ids(invoke, EVENT_SUB, (LAB, "MRN-9")).status == 200
    assert identifiers.resolve([(LAB, "MRN-1"), (LAB, "MRN-9")]) == {(LAB, "MRN-9"): EVENT_SUB}
    # the freed MRN may now go to someone else
    assert put_ids(invoke, OTHER_SUB, (LAB, "MRN-1")).status == 200
    assert users_table.get(EVENT_SUB)["identifiers"] == [{"system": LAB, "value": "MRN-9"}]


def test_an_mrn_held_by_another_patient_is_a_409_that_writes_nothing(invoke, patients):
    put_ids(invoke, OTHER_SUB, (LAB, "MRN-1"))
    reply = put_ids(invoke, EVENT_SUB, (OTHER_LAB, "5"), (LAB, "MRN-1"))
    assert reply.status == 409 and reply.error_code == "conflict"
    assert [d["field"] for d in reply.body["error"]["details"]] == ["identifiers.1"]
    assert "MRN-1" not in str(reply.body)
    assert identifiers.resolve([(LAB, "MRN-1"), (OTHER_LAB, "5")]) == {(LAB, "MRN-1"): OTHER_SUB}
    assert "identifiers" not in users_table.get(EVENT_SUB)
    assert audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=10, after=None).items == []


def test_a_claim_that_races_the_check_fails_the_whole_transaction(invoke, patients, monkeypatch):
    # Another request claims the MRN between our check and our transaction.
    from clinic.repositories import patient_identifiers_table as lookup
    real = lookup.owners

    def stale_then_taken(pairs):
        seen = real(pairs)
        put_ids(invoke, OTHER_SUB, (LAB, "MRN-1"))
        return seen

    monkeypatch.setattr(lookup, "owners", stale_then_taken)
    reply = put_ids(invoke, EVENT_SUB, (LAB, "MRN-1"))
    assert reply.status == 409
    monkeypatch.setattr(lookup, "owners", real)
    assert identifiers.resolve([(LAB, "MRN-1")]) == {(LAB, "MRN-1"): OTHER_SUB}
    assert "identifiers" not in users_table.get(EVENT_SUB)


def test_setting_the_same_set_again_is_harmless(invoke, patients):
    assert put_ids(invoke, EVENT_SUB, (LAB, "MRN-1")).status == 200
    assert put_ids(invoke, EVENT_SUB, (LAB, "MRN-1")).status == 200
    assert identifiers.resolve([(LAB, "MRN-1")]) == {(LAB, "MRN-1"): EVENT_SUB}


@pytest.mark.parametrize("body", [
    {"identifiers": [{"system": LAB, "value": "A"}, {"system": LAB, "value": "B"}]},  # two in one system
    {"identifiers": [{"system": LAB, "value": "has space"}]},
    {"identifiers": [{"system": "urn|x", "value": "1"}]},
    {"identifiers": [{"system": LAB, "value": "1", "use": "official"}]},
    {"identifiers": [{"system": LAB, "value": 1}]},
    {"identifiers": [{"system": f"urn:x:{n}", "value": "1"} for n in range(11)]},
    {},
])
def test_bad_identifier_sets_are_a_400_and_write_nothing(invoke, patients, body):
    reply = call(invoke, "SetPatientIdentifiersFunction", admin=True, path={"userId": EVENT_SUB}, body=body)
    assert reply.status == 400 and reply.error_code == "validation_error"
    assert "identifiers" not in users_table.get(EVENT_SUB)


def test_identifiers_of_someone_who_is_not_a_user_are_a_404(invoke, tables):
    assert put_ids(invoke, OTHER_SUB, (LAB, "MRN-1")).status == 404
    assert identifiers.resolve([(LAB, "MRN-1")]) == {}


def test_a_patient_may_not_set_identifiers(invoke, patients):
    reply = call(invoke, "SetPatientIdentifiersFunction", path={"userId": EVENT_SUB},
                 body={"identifiers": [{"system": LAB, "value": "MRN-1"}]})
    assert reply.status == 403
    assert identifiers.resolve([(LAB, "MRN-1")]) == {}
