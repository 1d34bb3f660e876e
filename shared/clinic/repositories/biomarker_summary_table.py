"""The BiomarkerSummary table: per user, one ``stats`` item (status counters + version) and one
``latest#<name>`` item per biomarker. Stats are one GetItem; every change is one transaction.

The record path loads the summaries of every user of a call (and whether each user exists, from
Users) in one BatchGetItem round; the nightly job reads one user's whole summary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from clinic import aws
from clinic.repositories import dynamo, keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]


class StaleSummary(Exception):
    """Another writer changed this user's summary first, or a condition of the transaction's
    other items failed; ``reasons`` holds DynamoDB's code per item, in order ('None',
    'ConditionalCheckFailed', 'TransactionConflict', ...). Reload and recompute."""

    def __init__(self, reasons: Sequence[str] = ()) -> None:
        super().__init__("the summary transaction was cancelled")
        self.reasons = list(reasons)


def _table() -> str:
    return get_settings(Tables).summary_table


def get_stats(user_id: str) -> Item | None:
    response = aws.dynamodb().get_item(
        TableName=_table(),
        Key=dynamo.to_item({"userId": user_id, "sk": keys.STATS_SK}),
        ReturnConsumedCapacity="TOTAL",
    )
    item = response.get("Item")
    return dynamo.from_item(item) if item else None


def stats_key(user_id: str) -> dict[str, str]:
    return {"userId": user_id, "sk": keys.STATS_SK}


def latest_key(user_id: str, name: str) -> dict[str, str]:
    return {"userId": user_id, "sk": keys.latest_sk(name)}


def delete_latest_action(user_id: str, name: str) -> dict[str, Any]:
    """A TransactWriteItems Delete of a biomarker's latest item (its only reading was withdrawn)."""
    return {"Delete": {"TableName": _table(), "Key": dynamo.to_item(latest_key(user_id, name))}}


def commit(
    user_id: str,
    stats: Mapping[str, Any] | None,
    expected_version: int | None,
    latest: Iterable[Mapping[str, Any]],
    extra: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write the new stats item, the changed latest items and ``extra`` actions atomically
    (``stats`` None: only the other items, when the summary does not change).

    The stats item's ``version`` serializes every summary change of a user: the transaction
    fails with ``StaleSummary`` when someone committed since ``expected_version`` was read (or
    DynamoDB cancelled it for a reason a fresh attempt gets past: a conflict, throttling).
    ``extra`` holds ready-made TransactWriteItems actions (``dynamo.put_action``) for other items
    that must change together with the summary. Throttling and transport errors that outlast
    botocore's retries propagate (``dynamo.is_transient`` tells them apart).
    """
    table = _table()
    condition: dict[str, Any]
    if expected_version is None:
        condition = {"ConditionExpression": "attribute_not_exists(sk)"}
    else:
        condition = {
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
        }
    actions: list[Mapping[str, Any]] = []
    if stats is not None:
        actions.append(dynamo.put_action(table, {**stats, **stats_key(user_id)}, condition))
    actions += [dynamo.put_action(table, item) for item in latest]
    actions += extra
    if len(actions) > dynamo.TRANSACT_MAX:
        raise ValueError("a summary commit holds at most 100 items")
    try:
        aws.dynamodb().transact_write_items(TransactItems=actions, ReturnConsumedCapacity="TOTAL")
    except ClientError as error:
        if dynamo.error_code(error) == "TransactionCanceledException":
            codes = set(dynamo.cancellation_codes(error))
            if codes and codes <= dynamo.RETRYABLE_CANCELLATIONS:
                # One reason per item says which one failed; anything else says nothing.
                reasons = dynamo.cancellation_codes(error)
                raise StaleSummary(reasons if len(reasons) == len(actions) else ()) from None
        raise


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
    settings = get_settings(Tables)
    summary_keys = []
    for user_id, names in names_by_user.items():
        summary_keys.append(stats_key(user_id))
        summary_keys += [latest_key(user_id, name) for name in sorted(set(names))]
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


def latest_page(user_id: str, *, filters: Mapping[str, str], limit: int,
                after: Mapping[str, Any] | None) -> paging.Page:
    """The latest reading of each biomarker (BiomarkerSummary ``latest#<name>`` items), by name,
    those matching every filter (category, status) only. There is one such item per biomarker the
    user has, so a filtered page reads the paging module's budget at most and, up to that many
    biomarkers, the whole range: the page is then exact and complete in one Query."""
    bounds = (keys.LATEST_PREFIX, keys.LATEST_PREFIX + keys.HIGH)
    return paging.query(
        get_settings(Tables).summary_table,
        partition=("userId", user_id),
        sort_key="sk",
        bounds=bounds,
        key_attributes=("sk",),
        limit=limit,
        after=after,
        filters=filters or None,
    )


def summary_partition(user_id: str) -> list[Item]:
    """The user's whole summary: bounded by the number of distinct biomarkers, not by history.
    Strongly consistent: a repair must start from what the version check will compare with."""
    return dynamo.query_all({
        "TableName": get_settings(Tables).summary_table,
        "KeyConditionExpression": "userId = :u",
        "ExpressionAttributeValues": {":u": {"S": user_id}},
        "ConsistentRead": True,
    })
