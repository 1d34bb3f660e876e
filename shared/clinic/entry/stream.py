"""DynamoDB stream batches, unwrapped at the entry (the function then runs under ``invoke_entry``):
each record as its table, its string keys and its sequence number, and the records that failed
as Lambda's ``batchItemFailures`` (Lambda retries from the first of them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StreamRecord:
    table: str
    keys: dict[str, str]  # the item's string keys (KEYS_ONLY streams carry nothing else)
    sequence_number: str


def table_of(stream_arn: str) -> str | None:
    """``arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`` -> ``<name>``."""
    parts = stream_arn.split(":", 5)
    if len(parts) != 6:
        return None
    resource = parts[5].split("/")
    return resource[1] if len(resource) >= 2 and resource[0] == "table" else None


def records_of(event: dict[str, Any]) -> list[StreamRecord]:
    """The batch's records; one without a table, keys or sequence number names nothing to act on
    and is left out."""
    found = []
    for record in event.get("Records") or []:
        change = record.get("dynamodb") or {}
        table = table_of(str(record.get("eventSourceARN", "")))
        keys = {name: value["S"] for name, value in (change.get("Keys") or {}).items()
                if isinstance(value, dict) and isinstance(value.get("S"), str)}
        sequence_number = change.get("SequenceNumber")
        if table and keys and sequence_number:
            found.append(StreamRecord(table, keys, str(sequence_number)))
    return found


def failures(sequence_numbers: Iterable[str]) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": number} for number in sequence_numbers]}
