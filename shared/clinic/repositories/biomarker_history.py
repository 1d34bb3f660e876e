"""One biomarker's raw readings in a time range: the Biomarkers index ByName,
(userId, "<name>#<recordedAt>#<readingId>"), one Query per page.

Stand-in for the raw resolution of GET /biomarkers/{name}/history until the API branch's
biomarker repository (same index, same key condition) replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic import aws
from clinic.repositories import dynamo, keys
from clinic.settings import get_settings

Item = dict[str, Any]


def page(user_id: str, name: str, *, lower: int | None, upper: int | None, limit: int,
         after: Mapping[str, str] | None) -> tuple[list[Item], dict[str, str] | None]:
    """Readings of ``name`` with lower <= recordedAt < upper (None: unbounded), oldest first, and
    the position after the last one when more follow (``limit + 1`` are read to know)."""
    low = keys.prefixed(name, keys.ts(lower) if lower is not None else keys.LOWEST)
    high = keys.prefixed(name, keys.ts(upper) if upper is not None else keys.HIGH)
    request: dict[str, Any] = {
        "TableName": get_settings().biomarkers_table,
        "IndexName": "ByName",
        "KeyConditionExpression": "userId = :u AND nameSk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {":u": {"S": user_id},
                                      ":lo": {"S": low}, ":hi": {"S": high}},
        "Limit": limit + 1,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if after:
        request["ExclusiveStartKey"] = dynamo.to_item({**after, "userId": user_id})
    response = aws.dynamodb().query(**request)
    items = [dynamo.from_item(i) for i in response.get("Items", [])]
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, {"sk": items[-1]["sk"], "nameSk": items[-1]["nameSk"]}
