"""Refill requests: a patient asks (nothing used yet, one pending per medication), staff take the
queue oldest first across patients and approve (one refill used, same transaction) or deny, every
decision audited in that transaction."""

import pytest

from clinic import clock
from clinic.repositories import audit_table, medications_table, refill_requests_table
from tests.support.api import ADMIN_SUB, OTHER_SUB, call
from tests.support.data import DAY_MS, NOW_MS
from tests.support.events import EVENT_SUB

REQUEST, LIST, QUEUE, DECIDE = ("RequestRefillFunction", "ListRefillRequestsFunction", "ListRefillQueueFunction",
                                "DecideRefillRequestFunction")
GET_MEDICATION = "GetMedicationFunction"


def medication(i, *, active=True, refills=2, user_id=EVENT_SUB, **extra):
    item = {"medicationId": f"med{i:04d}", "name": f"Drug {i}", "dose": "10 mg", "refills": refills, "active": active,
            "startedAt": NOW_MS - i * DAY_MS, "version": 1, **extra}
    medications_table.put_many(user_id, [item])
    return item["medicationId"]


@pytest.fixture
def patient(invoke, tables):
    call(invoke, "GetProfileFunction")
    call(invoke, "GetProfileFunction", sub=OTHER_SUB)
    return EVENT_SUB


@pytest.fixture
def clock_at(monkeypatch):
    """Set the functions' clock: requests made in one millisecond would tie on time."""
    def at(epoch_ms):
        monkeypatch.setattr(clock, "now_ms", lambda: epoch_ms)
    return at


def ask(invoke, medication_id, sub=EVENT_SUB):
    return call(invoke, REQUEST, sub=sub, path={"medicationId": medication_id})


def decide(invoke, request_id, body):
    return call(invoke, DECIDE, admin=True, path={"requestId": request_id}, body=body)


def refills_of(medication_id, user_id=EVENT_SUB):
    return medications_table.find(user_id, medication_id)["refills"]


def test_a_request_is_pending_and_uses_no_refill(invoke, patient):
    medication_id = medication(1, refills=2)
    reply = ask(invoke, medication_id)
    assert reply.status == 201
    assert {k: reply.body[k] for k in ("medicationId", "medicationName", "status")} == {
        "medicationId": medication_id, "medicationName": "Drug 1", "status": "pending"}
    assert reply.body["requestId"] and abs(reply.body["requestedAt"] - NOW_MS) < DAY_MS
    assert refills_of(medication_id) == 2


def test_a_second_pending_request_for_one_medication_is_a_409_and_writes_nothing(invoke, patient):
    medication_id = medication(1)
    assert ask(invoke, medication_id).status == 201
    again = ask(invoke, medication_id)
    assert again.status == 409 and "already pending" in again.body["error"]["message"]
    assert len(call(invoke, LIST).body["items"]) == 1


@pytest.mark.parametrize(("active", "refills"), [(True, 0), (False, 3)])
def test_no_request_without_refills_left_or_for_an_inactive_medication(invoke, patient, active, refills):
    medication_id = medication(1, active=active, refills=refills)
    reply = ask(invoke, medication_id)
    assert reply.status == 409 and reply.error_code == "conflict"
    assert call(invoke, LIST).body["items"] == []


def test_another_patients_medication_is_a_404_and_a_body_is_a_400(invoke, patient):
    medication_id = medication(1)
    assert ask(invoke, medication_id, sub=OTHER_SUB).status == 404
    with_body = call(invoke, REQUEST, path={"medicationId": medication_id}, body={"note": "please"})
    assert with_body.status == 400
    assert call(invoke, LIST).body["items"] == [] and call(invoke, LIST, sub=OTHER_SUB).body["items"] == []


def test_a_medication_stored_before_refill_requests_can_be_requested_as_it_is(invoke, patient):
    # Items written by the earlier refill path: no pending mark, and a lastRefillRequestedAt
    medication_id = medication(1, refills=1, lastRefillRequestedAt=NOW_MS - DAY_MS)
    request_id = ask(invoke, medication_id).body["requestId"]
    assert decide(invoke, request_id, {"decision": "approved"}).status == 200
    assert refills_of(medication_id) == 0


def test_the_patients_list_is_newest_first_with_an_exact_status_filter_and_signed_cursors(invoke, patient, ddb_calls):
    ids = [medication(i, refills=5) for i in range(6)]
    requests = []
    for i, medication_id in enumerate(ids):
        requests.append(ask(invoke, medication_id).body["requestId"])
        if i % 2 == 0:
            assert decide(invoke, requests[-1], {"decision": "denied" if i == 4 else "approved"}).status == 200
    ddb_calls.reset()
    pending = call(invoke, LIST, query={"status": "pending", "limit": 2}).body
    assert dict(ddb_calls.operations) == {"Query": 1}
    assert [r["requestId"] for r in pending["items"]] == [requests[5], requests[3]] and pending["nextCursor"]
    rest = call(invoke, LIST, query={"status": "pending", "limit": 2, "cursor": pending["nextCursor"]}).body
    assert [r["requestId"] for r in rest["items"]] == [requests[1]] and rest["nextCursor"] is None
    denied = call(invoke, LIST, query={"status": "denied"}).body["items"]
    assert [r["requestId"] for r in denied] == [requests[4]] and denied[0]["decidedAt"]
    everything = call(invoke, LIST).body["items"]
    assert [r["requestId"] for r in everything] == requests[::-1]
    # A cursor is bound to its caller and its query
    assert call(invoke, LIST, sub=OTHER_SUB, query={"status": "pending", "cursor": pending["nextCursor"]}).status == 400
    assert call(invoke, LIST, query={"status": "denied", "cursor": pending["nextCursor"]}).status == 400


@pytest.mark.parametrize("query", [{"status": "done"}, {"limit": 0}, {"limit": 101}, {"sort": "asc"},
                                   {"userId": OTHER_SUB}, {"cursor": "not-a-cursor"}])
def test_bad_or_unknown_query_parameters_of_the_patients_list_are_a_400(invoke, patient, query):
    reply = call(invoke, LIST, query=query)
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_the_staff_queue_is_oldest_first_across_patients_with_user_ids_paged(invoke, patient, ddb_calls, clock_at):
    asked = []
    for i in range(7):
        who = EVENT_SUB if i % 2 else OTHER_SUB
        clock_at(NOW_MS + i * 1000)
        asked.append((who, ask(invoke, medication(i, user_id=who), sub=who).body["requestId"]))
    clock_at(NOW_MS + DAY_MS)
    decide(invoke, asked[2][1], {"decision": "denied"})
    waiting = [a for j, a in enumerate(asked) if j != 2]
    ddb_calls.reset()
    first = call(invoke, QUEUE, admin=True, query={"status": "pending", "limit": 4}).body
    assert ddb_calls.operations["Query"] == refill_requests_table.SHARDS and "Scan" not in ddb_calls.operations
    second = call(invoke, QUEUE, admin=True, query={"limit": 4, "cursor": first["nextCursor"]}).body
    seen = [(r["userId"], r["requestId"]) for r in first["items"] + second["items"]]
    assert seen == waiting and second["nextCursor"] is None
    assert all(r["status"] == "pending" and r["medicationName"] for r in first["items"])


@pytest.mark.parametrize("query", [{"status": "approved"}, {"status": "all"}, {"limit": 0}, {"patientId": EVENT_SUB},
                                   {"cursor": "x"}])
def test_bad_or_unknown_query_parameters_of_the_queue_are_a_400(invoke, patient, query):
    reply = call(invoke, QUEUE, admin=True, query=query)
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_the_queue_records_each_patient_on_the_page_as_read(invoke, patient):
    ask(invoke, medication(1))
    assert call(invoke, QUEUE, admin=True).status == 200
    reads = [r for r in audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=10, after=None).items
             if r["action"] == "read"]
    assert [(r["actorId"], r["resource"]) for r in reads] == [(ADMIN_SUB, "refill-requests")]


def test_approval_uses_one_refill_with_the_decision_and_its_audit_record_in_one_transaction(invoke, patient, ddb_calls):
    medication_id = medication(1, refills=2)
    request_id = ask(invoke, medication_id).body["requestId"]
    ddb_calls.reset()
    reply = decide(invoke, request_id, {"decision": "approved", "note": "Approved at the visit"})
    assert reply.status == 200
    assert {k: reply.body[k] for k in ("requestId", "status", "note", "userId")} == {
        "requestId": request_id, "status": "approved", "note": "Approved at the visit", "userId": EVENT_SUB}
    assert reply.body["decidedAt"]
    assert ddb_calls.operations["TransactWriteItems"] == 1 and "PutItem" not in ddb_calls.operations
    assert refills_of(medication_id) == 1
    audited = [r for r in audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=10, after=None).items
               if r["action"] == "update"]
    assert [(r["actorId"], r["resource"]) for r in audited] == [(ADMIN_SUB, f"refill-request:{request_id}")]
    # The patient sees the decision and may ask again; the queue no longer holds it
    (mine,) = call(invoke, LIST).body["items"]
    assert (mine["status"], mine["note"]) == ("approved", "Approved at the visit")
    assert call(invoke, QUEUE, admin=True).body["items"] == []
    assert ask(invoke, medication_id).status == 201


def test_denial_uses_no_refill_and_a_decided_request_cannot_be_decided_again(invoke, patient):
    medication_id = medication(1, refills=2)
    request_id = ask(invoke, medication_id).body["requestId"]
    denied = decide(invoke, request_id, {"decision": "denied", "note": "Book a visit first"})
    assert denied.status == 200 and denied.body["status"] == "denied"
    again = decide(invoke, request_id, {"decision": "approved"})
    assert again.status == 409 and "already been decided" in again.body["error"]["message"]
    assert refills_of(medication_id) == 2
    assert call(invoke, LIST).body["items"][0]["status"] == "denied"


@pytest.mark.parametrize(("change", "refills_after"), [({"refills": 0}, 0), ({"active": False}, 2)])
def test_approval_without_a_refill_left_or_of_an_inactive_medication_is_a_409_and_writes_nothing(
        invoke, patient, change, refills_after):
    medication_id = medication(1, refills=2)
    request_id = ask(invoke, medication_id).body["requestId"]
    # Staff change the prescription meanwhile; the pending mark survives the change
    changed = call(invoke, "UpdatePatientMedicationFunction", admin=True,
                   path={"userId": EVENT_SUB, "medicationId": medication_id}, body=change)
    assert changed.status == 200
    before = len(audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=50, after=None).items)
    reply = decide(invoke, request_id, {"decision": "approved"})
    assert reply.status == 409 and "no refills left" in reply.body["error"]["message"]
    assert refills_of(medication_id) == refills_after
    assert len(audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=50, after=None).items) == before
    assert call(invoke, LIST).body["items"][0]["status"] == "pending"
    assert ask(invoke, medication_id).status == 409  # still pending: staff deny it instead
    assert decide(invoke, request_id, {"decision": "denied"}).status == 200


def test_an_unknown_request_is_a_404(invoke, patient):
    assert decide(invoke, "0123456789abcdef0123456789abcdef", {"decision": "approved"}).status == 404


@pytest.mark.parametrize("body", [{}, {"decision": "maybe"}, {"decision": "approved", "note": ""},
                                  {"decision": "approved", "note": "x" * 121}, {"decision": "denied", "note": 5},
                                  {"decision": "approved", "userId": OTHER_SUB}, {"decision": True},
                                  {"decision": "approved", "status": "approved"}])
def test_bad_decisions_are_a_400_and_write_nothing(invoke, patient, body):
    medication_id = medication(1)
    request_id = ask(invoke, medication_id).body["requestId"]
    reply = decide(invoke, request_id, body)
    assert reply.status == 400 and reply.error_code == "validation_error"
    assert call(invoke, LIST).body["items"][0]["status"] == "pending" and refills_of(medication_id) == 2


@pytest.mark.parametrize("function", [QUEUE, DECIDE])
def test_a_patient_on_the_staff_refill_routes_is_a_403(invoke, patient, function):
    medication_id = medication(1)
    request_id = ask(invoke, medication_id).body["requestId"]
    reply = call(invoke, function, path={"requestId": request_id}, body={"decision": "approved"})
    assert reply.status == 403 and reply.error_code == "forbidden"
    assert refills_of(medication_id) == 2
