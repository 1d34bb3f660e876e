"""Medications: the patient's list (``active`` filter through its own index), one by id, and
prescriptions by clinic staff (refill requests: ``clinic.services.refills``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter

from clinic import clock
from clinic.errors import NotFound
from clinic.models.medications import Medication, MedicationChange, MedicationCreate, MedicationPage
from clinic.repositories import dynamo, keys, medications_table
from clinic.services import cursors

_items = TypeAdapter(list[Medication])


def list_for_user(user_id: str, *, active: bool | None, limit: int, cursor: str | None) -> MedicationPage:
    scope = f"medications.list|{'' if active is None else active}"
    position = cursors.decode(cursor, user_id, scope) if cursor else {}
    page = medications_table.page(user_id, active=active, limit=limit, after=position.get("key"))
    next_cursor = cursors.encode(user_id, scope, {"key": page.position}) if page.position else None
    return MedicationPage(items=_items.validate_python(page.items), next_cursor=next_cursor)


def find_item(user_id: str, medication_id: str) -> dict[str, Any]:
    """The stored item of one of ``user_id``'s medications (404 for anyone else's)."""
    item = medications_table.find(user_id, medication_id)
    if item is None:
        raise NotFound("no such medication")
    return item


def get(user_id: str, medication_id: str) -> Medication:
    return Medication.model_validate(find_item(user_id, medication_id))


def create(user_id: str, body: MedicationCreate, *, also: Sequence[Mapping[str, Any]] = ()) -> Medication:
    new = {"medicationId": keys.new_id(), "name": body.name, "dose": body.dose, "refills": body.refills,
           "active": body.active, "startedAt": body.started_at if body.started_at is not None else clock.now_ms(),
           "version": 1}
    dynamo.write([medications_table.put_action(user_id, new, None), *also])
    return Medication.model_validate(new)


def change(user_id: str, medication_id: str, body: MedicationChange, *,
           also: Sequence[Mapping[str, Any]] = ()) -> Medication:
    """Apply the given fields if nobody changed the prescription since it was read (else 409)."""
    item = find_item(user_id, medication_id)
    current = Medication.model_validate(item)
    changes = {k: v for k, v in body.model_dump(by_alias=True).items() if v is not None}
    # The pending refill request's mark is not part of the prescription: it stays as it was read.
    kept = {k: item[k] for k in (medications_table.PENDING_REFILL,) if k in item}
    new = {**current.model_dump(by_alias=True), **changes, **kept, "version": current.version + 1}
    dynamo.write([medications_table.put_action(user_id, new, current.version), *also])
    return Medication.model_validate(new)
