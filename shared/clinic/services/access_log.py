"""A patient's accounting of disclosures (GET /me/access-log): who read or changed which kind of
their records, when and why, from their own Audit partition, newest first, one Query per page.
It shows what the record kept of the actor (display name and role), never an id: not the
actor's, not the request's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic.identity import Caller
from clinic.models.audit import AccessActor, AccessLogEntry, AccessLogPage
from clinic.models.users import Role
from clinic.repositories import audit_table
from clinic.services import cursors

SCOPE = "me.access-log"
# Records written before actorName was kept: only staff routes touch another person's records,
# so the actor was clinic staff; their name is not looked up (one Query per page, nothing more).
UNNAMED_STAFF = "Clinic staff"
YOU = "You"

# The first part of an audit resource ("appointment:<id>", "patient-export:profile") -> the kind
# of record the patient is shown; anything else is "other".
RECORD_KINDS = {
    "biomarkers": "biomarkers", "stats": "biomarkers", "appointment": "appointments", "appointments": "appointments",
    "medication": "medications", "medications": "medications", "profile": "profile", "identifiers": "identifiers",
    "role": "role", "patient-export": "export", "me-export": "export", "session": "session",
}


def record_kind(resource: str) -> str:
    return RECORD_KINDS.get(resource.split(":", 1)[0], "other")


def _actor(item: Mapping[str, Any]) -> AccessActor:
    if item.get("actorId") == item["userId"]:
        return AccessActor(name=YOU, role=Role.PATIENT.value)
    return AccessActor(name=str(item.get("actorName") or UNNAMED_STAFF),
                       role=str(item.get("actorRole") or Role.ADMIN.value))


def _entry(item: Mapping[str, Any]) -> AccessLogEntry:
    return AccessLogEntry(at=int(item["at"]), actor=_actor(item), action=str(item["action"]),
                          record_kind=record_kind(str(item["resource"])), reason=item.get("reason"))


def page(caller: Caller, *, limit: int, cursor: str | None) -> AccessLogPage:
    position = cursors.decode(cursor, caller.user_id, SCOPE) if cursor else {}
    found = audit_table.page(patient_id=caller.user_id, actor_id=None, limit=limit, after=position.get("key"))
    next_cursor = cursors.encode(caller.user_id, SCOPE, {"key": found.position}) if found.position else None
    return AccessLogPage(items=[_entry(i) for i in found.items], next_cursor=next_cursor)
