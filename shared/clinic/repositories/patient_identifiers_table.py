"""PatientIdentifiers table: one item per identifier a lab knows a patient by (an MRN: system +
value), keyed ``"<system>|<value>"``, holding the patient's ``userId``. The key is the lookup
index ingest uses and the uniqueness rule at once: an identifier belongs to at most one patient."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clinic.repositories import dynamo
from clinic.settings import PatientIdentifiersTable, get_settings

SEP = "|"


def _table() -> str:
    return get_settings(PatientIdentifiersTable).patient_identifiers_table


def key_of(system: str, value: str) -> str:
    return f"{system}{SEP}{value}"


def claim_action(system: str, value: str, user_id: str) -> dict[str, Any]:
    """The Put that gives ``system|value`` to ``user_id``, unless another patient holds it."""
    return {"Put": {
        "TableName": _table(),
        "Item": dynamo.to_item({"identifier": key_of(system, value), "system": system, "value": value,
                                "userId": user_id}),
        "ConditionExpression": "attribute_not_exists(identifier) OR userId = :me",
        "ExpressionAttributeValues": {":me": {"S": user_id}},
    }}


def release_action(system: str, value: str, user_id: str) -> dict[str, Any]:
    """The Delete of ``system|value``, only while ``user_id`` holds it."""
    return {"Delete": {
        "TableName": _table(),
        "Key": dynamo.to_item({"identifier": key_of(system, value)}),
        "ConditionExpression": "attribute_not_exists(identifier) OR userId = :me",
        "ExpressionAttributeValues": {":me": {"S": user_id}},
    }}


def owners(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Who holds each (system, value) that somebody holds: one BatchGetItem per 100 identifiers."""
    wanted = sorted({key_of(system, value) for system, value in pairs})
    if not wanted:
        return {}
    found = dynamo.batch_get({_table(): [{"identifier": key} for key in wanted]})[_table()]
    return {(item["system"], item["value"]): item["userId"] for item in found}
