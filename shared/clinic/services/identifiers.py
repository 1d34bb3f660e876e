"""Patients' identifiers (MRNs), set by clinic staff and resolved by lab ingest. A patient's set
lives on their Users item; each identifier also has a look-up item keyed by it
(``clinic.repositories.patient_identifiers_table``). Both change in one transaction with the audit record, and
a look-up item is only ever claimed while no other patient holds it: one MRN per system maps to
one patient, and a conflict is a 409 that writes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from clinic.errors import Conflict, NotFound
from clinic.identity import Caller
from clinic.models.identifiers import IdentifiersChange, PatientIdentifiers
from clinic.repositories import dynamo, users_table
from clinic.repositories import patient_identifiers_table as lookup
from clinic.services import audit

RESOURCE = "identifiers"
TAKEN = "an identifier already belongs to another patient"


def replace(actor: Caller, patient_id: str, change: IdentifiersChange) -> PatientIdentifiers:
    item = users_table.get_consistent(patient_id)
    if item is None:
        raise NotFound("no such user")
    current = {(i["system"], i["value"]) for i in item.get("identifiers") or []}
    wanted = [(i.system, i.value) for i in change.identifiers]
    owners = lookup.owners(wanted)
    taken = [n for n, pair in enumerate(wanted) if owners.get(pair, patient_id) != patient_id]
    if taken:
        raise Conflict(TAKEN, [{"in": "body", "field": f"identifiers.{n}", "issue": "taken",
                                "message": TAKEN} for n in taken])
    stored = [{"system": system, "value": value} for system, value in wanted]
    actions = [
        users_table.identifiers_update_action(patient_id, stored, item.get("version")),
        *(lookup.claim_action(system, value, patient_id) for system, value in wanted if (system, value) not in current),
        *(lookup.release_action(system, value, patient_id) for system, value in sorted(current - set(wanted))),
        audit.action(actor, patient_id, audit.UPDATE, RESOURCE),
    ]
    # A concurrent change (of the item, or an identifier claimed meanwhile) fails the whole
    # transaction: ConditionFailed, a 409.
    dynamo.write(actions)
    return PatientIdentifiers.model_validate({"userId": patient_id, "identifiers": stored})


def resolve(pairs: Iterable[tuple[str, str]]) -> Mapping[tuple[str, str], str]:
    """The patient each known (system, value) belongs to; unknown ones are absent."""
    return lookup.owners(pairs)
