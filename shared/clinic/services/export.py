"""GET /me/export: every item the caller has, as JSON, one bounded page at a time.

The collections are walked in a fixed order; one signed cursor carries (collection, position
inside it). A page reads at most ``limit`` items in all (one GetItem for the profile on the first
page, then one Query per collection it reaches: at most five requests plus the audit record),
so its cost depends on the page size, never on how much history the caller has. Identity comes
only from the token; the cursor is bound to the caller and to this route.

Not exported: ``BiomarkerSummary`` (derived from the readings, which are exported) and the
Audit table (the record of who accessed the patient's data: an accounting of disclosures is a
separate request, served by staff from GET /admin/audit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clinic.identity import Caller
from clinic.models.appointments import Appointment
from clinic.models.biomarkers import Reading
from clinic.models.export import ExportedDailyPoint, ExportPage
from clinic.models.medications import Medication
from clinic.models.users import User
from clinic.repositories import user_data, users_table
from clinic.services import audit, cursors
from clinic.services import users as users_service
from clinic.settings import Tables, get_settings

SCOPE = "me.export"
STAFF_SCOPE = "patients.export"
PROFILE = "profile"
# (collection, its table, its wire model), in the order the export walks them.
COLLECTIONS: tuple[tuple[str, Callable[[Tables], str], Any], ...] = (
    ("biomarkers", lambda s: s.biomarkers_table, Reading),
    ("appointments", lambda s: s.appointments_table, Appointment),
    ("medications", lambda s: s.medications_table, Medication),
    ("daily_rollups", lambda s: s.rollups_table, ExportedDailyPoint),
)
ORDER = (PROFILE, *(name for name, _, _ in COLLECTIONS))


def page(caller: Caller, *, limit: int, cursor: str | None, patient_id: str | None = None) -> ExportPage:
    """A page of ``patient_id``'s records (staff), or of the caller's own; the cursor is bound to
    the caller and, for staff, to the patient."""
    subject = patient_id or caller.user_id
    scope = f"{STAFF_SCOPE}|{patient_id}" if patient_id else SCOPE
    position: dict[str, Any] = cursors.decode(cursor, caller.user_id, scope) if cursor else {"c": PROFILE, "k": None}
    if position.get("c") not in ORDER or not (position.get("k") is None or isinstance(position.get("k"), dict)):
        raise cursors.invalid()
    settings = get_settings(Tables)
    found: dict[str, list[Any]] = {name: [] for name, _, _ in COLLECTIONS}
    profile = None
    remaining = limit
    at = ORDER.index(position["c"])
    key: dict[str, Any] | None = position.get("k")
    if ORDER[at] == PROFILE:
        item = users_table.get(subject)
        profile = User.model_validate(item) if item else None
        remaining -= 1 if item else 0
        at, key = at + 1, None
    while remaining > 0 and at < len(ORDER):
        name, table, model = COLLECTIONS[at - 1]
        got = user_data.page(table(settings), subject, limit=remaining, after=key)
        found[name].extend(model.model_validate(i) for i in got.items)
        remaining -= len(got.items)
        if got.position:
            key = got.position
            break
        at, key = at + 1, None
    complete = at >= len(ORDER)
    next_cursor = None if complete else cursors.encode(caller.user_id, scope, {"c": ORDER[at], "k": key})
    # The patient reading their own records is still an access to PHI: recorded like a staff read.
    where = ORDER[min(at, len(ORDER) - 1)]
    audit.record(caller, subject, audit.EXPORT, f"patient-export:{where}" if patient_id else f"me-export:{where}")
    return ExportPage(profile=profile, next_cursor=next_cursor, complete=complete, **found)


def fhir_page(caller: Caller, *, limit: int, cursor: str | None, patient_id: str | None = None) -> dict[str, Any]:
    """The same page as a FHIR R4 Bundle (``clinic.fhir.export``); the Patient carries the
    identifiers (MRNs) staff set, so a lab or another clinic can match it."""
    from clinic.fhir import export as fhir_export

    subject = patient_id or caller.user_id
    found = page(caller, limit=limit, cursor=cursor, patient_id=patient_id)
    identifiers = (users_table.get(subject) or {}).get("identifiers") or [] if found.profile else []
    route = f"/admin/patients/{subject}/export" if patient_id else "/me/export"
    return fhir_export.bundle(found, subject, identifiers, limit=limit, route=route)


def for_staff(actor: Caller, patient_id: str, *, fhir: bool, limit: int,
              cursor: str | None) -> ExportPage | dict[str, Any]:
    """GET /admin/patients/{userId}/export: a patient's export for clinic staff (404 for someone
    who is not a user), each page audited as an export of that patient by ``actor``."""
    users_service.get(patient_id)
    if fhir:
        return fhir_page(actor, limit=limit, cursor=cursor, patient_id=patient_id)
    return page(actor, limit=limit, cursor=cursor, patient_id=patient_id)
