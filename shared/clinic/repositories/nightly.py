"""The nightly job's two bounded reads of user data: one user's readings in a time window
(a key condition on the timestamp-first sort key of Biomarkers) and one user's BiomarkerSummary
partition (one stats item and one latest item per biomarker).
"""

from __future__ import annotations

from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys
from clinic.settings import Tables, get_settings

Item = dict[str, Any]


def _query_all(request: dict[str, Any]) -> list[Item]:
    client = aws.dynamodb()
    items: list[Item] = []
    while True:
        response = client.query(**request, ReturnConsumedCapacity="TOTAL")
        items.extend(dynamo.from_item(i) for i in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return items
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def readings_between(user_id: str, start_ms: int, end_ms: int) -> list[Item]:
    """Every reading of the user with start_ms <= recordedAt < end_ms, oldest first.

    Sort keys are "<ts>#<id>": BETWEEN "<ts(start)>" AND "<ts(end)>" takes every key at start and
    none at end (each of those is longer than the bound, so it sorts after it).
    """
    return _query_all({
        "TableName": get_settings(Tables).biomarkers_table,
        "KeyConditionExpression": "userId = :u AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {":u": {"S": user_id}, ":lo": {"S": keys.ts(start_ms)},
                                      ":hi": {"S": keys.ts(end_ms)}},
    })


def summary_partition(user_id: str) -> list[Item]:
    """The user's whole summary: bounded by the number of distinct biomarkers, not by history.
    Strongly consistent: a repair must start from what the version check will compare with."""
    return _query_all({
        "TableName": get_settings(Tables).summary_table,
        "KeyConditionExpression": "userId = :u",
        "ExpressionAttributeValues": {":u": {"S": user_id}},
        "ConsistentRead": True,
    })
