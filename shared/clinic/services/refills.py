"""Refill requests: a patient asks for a refill of an active medication with refills left (nothing
is used yet; one pending request per medication), clinic staff take the queue oldest first and
approve (one refill used, in the same transaction) or deny, audited in that transaction too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from clinic import clock
from clinic.errors import Conflict, NotFound
from clinic.identity import Caller
from clinic.models.refills import (
    RefillDecision,
    RefillDecisionKind,
    RefillRequest,
    RefillRequestPage,
    RefillStatus,
    StaffRefillRequest,
    StaffRefillRequestPage,
)
from clinic.repositories import dynamo, keys, medications_table, refill_requests_table
from clinic.services import audit, cursors, medications, patients

_requests = TypeAdapter(list[RefillRequest])
_staff_requests = TypeAdapter(list[StaffRefillRequest])

NO_REFILL = "no refills left, or the medication is not active"
ALREADY_PENDING = "a refill request for this medication is already pending"
ALREADY_DECIDED = "this refill request has already been decided"


def _refusal(medication: Mapping[str, Any]) -> str | None:
    if not medication.get("active") or medication.get("refills", 0) <= 0:
        return NO_REFILL
    if medication.get(medications_table.PENDING_REFILL):
        return ALREADY_PENDING
    return None


def request(user_id: str, medication_id: str) -> RefillRequest:
    """A pending request (201), written with the medication's pending mark in one transaction:
    of two racing requests for one medication exactly one is created; the other is a 409."""
    medication = medications.find_item(user_id, medication_id)
    refusal = _refusal(medication)
    if refusal:
        raise Conflict(refusal)
    new = {"requestId": keys.new_id(), "medicationId": medication_id, "medicationName": medication["name"],
           "status": RefillStatus.PENDING.value, "requestedAt": clock.now_ms(), "version": 1}
    try:
        dynamo.write([refill_requests_table.put_new_action(refill_requests_table.to_item(user_id, new)),
                      medications_table.hold_for_refill_action(user_id, medication["sk"], new["requestId"])])
    except dynamo.ConditionFailed:
        raise Conflict(_refusal(medications.find_item(user_id, medication_id)) or ALREADY_PENDING) from None
    return RefillRequest.model_validate(new)


def list_for_user(user_id: str, *, status: RefillStatus | None, limit: int, cursor: str | None) -> RefillRequestPage:
    scope = f"refills.list|{status or ''}"
    position = cursors.decode(cursor, user_id, scope) if cursor else {}
    page = refill_requests_table.page(user_id, status=status, limit=limit, after=position.get("key"))
    next_cursor = cursors.encode(user_id, scope, {"key": page.position}) if page.position else None
    return RefillRequestPage(items=_requests.validate_python(page.items), next_cursor=next_cursor)


def queue(actor: Caller, *, limit: int, cursor: str | None) -> StaffRefillRequestPage:
    """Pending requests of every patient, oldest first: one Query per queue shard per page (at
    most ``SHARDS``), whatever the number of patients. Each patient on the page is recorded as read."""
    scope = "refills.queue"
    fresh: list[Any] = [None] * refill_requests_table.SHARDS
    shards = cursors.decode(cursor, actor.user_id, scope).get("s") if cursor else fresh
    if (not isinstance(shards, list) or len(shards) != refill_requests_table.SHARDS
            or not all(s is None or s is True or isinstance(s, dict) for s in shards)):
        raise cursors.invalid()
    items, after = refill_requests_table.queue_page(limit=limit, positions=shards)
    done = all(s is True for s in after)
    next_cursor = None if done else cursors.encode(actor.user_id, scope, {"s": after})
    if items:
        audit.record_reads(actor, sorted({i["userId"] for i in items}), "refill-requests")
    return StaffRefillRequestPage(items=_staff_requests.validate_python(items), next_cursor=next_cursor)


def decide(actor: Caller, request_id: str, decision: RefillDecision) -> StaffRefillRequest:
    """Approve or deny a pending request in ONE transaction: the request (only while pending), the
    medication (its mark removed; on approval one refill used, only while active with one left)
    and the audit record. A request is decided once: a second decision, or an approval with no
    refill left, is a 409 and writes nothing."""
    item = refill_requests_table.find(request_id)
    if item is None:
        raise NotFound("no such refill request")
    if item["status"] != RefillStatus.PENDING:
        raise Conflict(ALREADY_DECIDED)
    user_id = item["userId"]
    medication = medications_table.find(user_id, item["medicationId"])
    if medication is None:
        raise Conflict(NO_REFILL)
    approved = decision.decision is RefillDecisionKind.APPROVED
    now = clock.now_ms()

    def apply(also: list[Mapping[str, Any]]) -> None:
        dynamo.write([
            refill_requests_table.decide_action(item, status=decision.decision.value, decided_at=now,
                                                decided_by=actor.user_id, note=decision.note),
            medications_table.release_for_refill_action(user_id, medication["sk"], approved=approved),
            *also,
        ])

    try:
        patients.change(actor, user_id, audit.UPDATE, f"refill-request:{request_id}", apply)
    except dynamo.ConditionFailed:
        current = refill_requests_table.find(request_id)
        raise Conflict(ALREADY_DECIDED if current and current["status"] != RefillStatus.PENDING
                       else NO_REFILL) from None
    return StaffRefillRequest.model_validate({**item, "status": decision.decision.value, "decidedAt": now,
                                              "note": decision.note})
