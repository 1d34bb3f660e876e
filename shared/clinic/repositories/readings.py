"""Biomarkers table: one item per reading, keyed (userId, "<recordedAt>#<readingId>").

The record path learns what it needs (summaries, users, which readings exist) with batched reads
shared by every user of a call.
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


def put_new_action(user_id: str, reading: Mapping[str, Any]) -> dict[str, Any]:
    """A TransactWriteItems Put of a reading that succeeds only if it is not stored yet (the
    cancellation reason ConditionalCheckFailed says it is)."""
    return dynamo.put_action(_table(), to_item(user_id, reading), {"ConditionExpression": "attribute_not_exists(sk)"})


@dataclass
class SummaryState:
    """A user's current summary as the record path needs it: the stats item and the latest item
    of each biomarker the batch touches."""

    stats: Item | None = None
    latest: dict[str, Item] = field(default_factory=dict)


@dataclass
class BatchState:
    """What one recording call learns before writing, for every user in it at once."""

    summaries: dict[str, SummaryState]
    known_users: set[str] | None  # None when the users were not looked up


def load_batch_state(names_by_user: Mapping[str, Iterable[str]], *, check_users: bool) -> BatchState:
    """Every user's stats item and the latest items of the named biomarkers (and, if asked,
    whether the user exists), in one consistent BatchGetItem round: the keys of all users share
    requests, 100 keys each."""
    settings = get_settings()
    summary_keys = []
    for user_id, names in names_by_user.items():
        summary_keys.append(summary.stats_key(user_id))
        summary_keys += [summary.latest_key(user_id, name) for name in sorted(set(names))]
    wanted: dict[str, Sequence[Mapping[str, Any]]] = {settings.summary_table: summary_keys}
    if check_users:
        wanted[settings.users_table] = [{"userId": user_id} for user_id in names_by_user]
    found = dynamo.batch_get(wanted, consistent=True, projections={settings.users_table: "userId"})
    state = BatchState({user_id: SummaryState() for user_id in names_by_user}, None)
    for item in found[settings.summary_table]:
        user_state = state.summaries[item["userId"]]
        if item["sk"] == keys.STATS_SK:
            user_state.stats = item
        else:
            user_state.latest[item["name"]] = item
    if check_users:
        state.known_users = {item["userId"] for item in found[settings.users_table]}
    return state


def load_summary_state(user_id: str, names: Iterable[str]) -> SummaryState:
    """Reload one user's summary part (after losing a commit race)."""
    return load_batch_state({user_id: names}, check_users=False).summaries[user_id]


def existing(reading_keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (userId, sk) readings are stored: one consistent, keys-only BatchGetItem
    round, shared across users."""
    table = _table()
    found = dynamo.batch_get(
        {table: [{"userId": user_id, "sk": sk} for user_id, sk in reading_keys]},
        consistent=True,
        projections={table: "userId, sk"},
    )
    return {(item["userId"], item["sk"]) for item in found[table]}
