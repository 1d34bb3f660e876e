"""Biomarkers table: one item per reading, keyed (userId, "<recordedAt>#<readingId>").

The record path reads what it needs from Biomarkers and BiomarkerSummary in one batched read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clinic.repositories import dynamo, keys, summary
from clinic.settings import get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings().biomarkers_table


def to_item(user_id: str, reading: Mapping[str, Any]) -> Item:
    """The stored form of a reading, with the secondary-index sort keys derived from it."""
    sk = keys.timed(reading["recordedAt"], reading["readingId"])
    return {
        **reading,
        "userId": user_id,
        "sk": sk,
        "nameSk": keys.prefixed(reading["name"], sk),
        "statusSk": keys.prefixed(reading["status"], sk),
        "categorySk": keys.prefixed(reading["category"], sk),
    }


def put_many(items: Iterable[Mapping[str, Any]]) -> None:
    dynamo.batch_write(_table(), items)


@dataclass
class RecordState:
    """What the record path needs to know before writing: which readings exist already, and
    the user's current summary (stats item and the latest item of each affected biomarker)."""

    existing: set[str] = field(default_factory=set)
    stats: Item | None = None
    latest: dict[str, Item] = field(default_factory=dict)


def load_record_state(user_id: str, sks: Sequence[str], names: Iterable[str]) -> RecordState:
    summary_table = get_settings().summary_table
    summary_keys = [summary.stats_key(user_id)] + [summary.latest_key(user_id, n) for n in sorted(set(names))]
    found = dynamo.batch_get(
        {_table(): [{"userId": user_id, "sk": sk} for sk in sks], summary_table: summary_keys},
        consistent=True,
        projections={_table(): "sk"},
    )
    state = RecordState(existing={item["sk"] for item in found[_table()]})
    for item in found[summary_table]:
        if item["sk"] == keys.STATS_SK:
            state.stats = item
        else:
            state.latest[item["name"]] = item
    return state


def load_summary_state(user_id: str, names: Iterable[str]) -> RecordState:
    """Reload only the summary part (after losing a commit race)."""
    return load_record_state(user_id, (), names)
