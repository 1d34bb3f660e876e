"""BiomarkerSummary: per user, one ``stats`` item (status counters + version) and one
``latest#<name>`` item per biomarker. Stats are one GetItem; every change is one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from clinic import aws
from clinic.repositories import dynamo, keys
from clinic.settings import get_settings

Item = dict[str, Any]


class StaleSummary(Exception):
    """Another writer changed this user's summary first, or a condition of the transaction's
    other items failed; ``reasons`` holds DynamoDB's code per item, in order ('None',
    'ConditionalCheckFailed', 'TransactionConflict', ...). Reload and recompute."""

    def __init__(self, reasons: Sequence[str] = ()) -> None:
        super().__init__("the summary transaction was cancelled")
        self.reasons = list(reasons)


def _table() -> str:
    return get_settings().summary_table


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
