"""Low-level DynamoDB helpers shared by the repositories: the attribute-value codec, batched
reads and writes with bounded retries of unprocessed work, and transaction error decoding.

moto never returns UnprocessedItems or throttles, so the retry paths here are exercised with
botocore's Stubber in the tests.

Two kinds of refusal end the same way: UnprocessedItems/Keys that outlast our backoff, and
throttling or transport errors that outlast botocore's own retries (standard mode). Both raise
``UnprocessedError`` with what was not done, so callers report exactly those items as failed.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as TransportError

from clinic import aws
from clinic.errors import Conflict

Item = dict[str, Any]
AttributeValue = dict[str, Any]

BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
TRANSACT_MAX = 100

# Bounded exponential backoff with full jitter (the AWS architecture blog's recommendation).
MAX_ATTEMPTS = 6
BASE_DELAY_S = 0.05
MAX_DELAY_S = 1.0

sleep: Callable[[float], None] = time.sleep  # tests replace it to run retries instantly


# --- codec -----------------------------------------------------------------------------------


def to_av(value: Any) -> AttributeValue:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("DynamoDB numbers must be finite")
        return {"N": repr(value)}
    if isinstance(value, Decimal):
        return {"N": str(value)}
    if isinstance(value, Mapping):
        return {"M": {k: to_av(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_av(v) for v in value]}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def from_av(av: AttributeValue) -> Any:
    ((tag, raw),) = av.items()
    if tag == "S":
        return raw
    if tag == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    if tag == "BOOL":
        return raw
    if tag == "NULL":
        return None
    if tag == "M":
        return {k: from_av(v) for k, v in raw.items()}
    if tag == "L":
        return [from_av(v) for v in raw]
    if tag == "SS":
        return set(raw)
    raise TypeError(f"unsupported DynamoDB type {tag}")


def to_item(values: Mapping[str, Any]) -> dict[str, AttributeValue]:
    return {k: to_av(v) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, AttributeValue]) -> Item:
    return {k: from_av(v) for k, v in item.items()}


# --- retries ---------------------------------------------------------------------------------


class UnprocessedError(RuntimeError):
    """DynamoDB kept refusing part of a batch after every retry; ``remaining`` holds that part."""

    def __init__(self, remaining: Any) -> None:
        super().__init__("DynamoDB left part of a batch unprocessed after all retries")
        self.remaining = remaining


# Errors that say "not now" rather than "never": worth reporting as retryable, never as bad input.
RETRYABLE_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable", "TransactionInProgressException",
})
# Reasons inside a TransactionCanceledException that a fresh attempt can get past.
RETRYABLE_CANCELLATIONS = frozenset({
    "None", "ConditionalCheckFailed", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
})


def is_transient(error: BaseException) -> bool:
    """Throttling, a server-side hiccup, or a transport failure (timeouts, connection errors:
    the request may or may not have been applied). Not: validation, access, missing tables."""
    if isinstance(error, ClientError):
        return error_code(error) in RETRYABLE_CODES
    return isinstance(error, TransportError | HTTPClientError)


def _call(operation: Callable[..., dict[str, Any]], **params: Any) -> dict[str, Any] | None:
    """The response, or None when DynamoDB stayed throttled or unreachable through botocore's own
    retries (the caller then gives up on what it sent); other errors propagate."""
    try:
        return operation(**params)
    except (ClientError, TransportError, HTTPClientError) as error:
        if not is_transient(error):
            raise
        return None


def backoff_delays() -> Iterator[float]:
    for attempt in range(MAX_ATTEMPTS - 1):
        yield random.uniform(0, min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt))


def chunked(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


# --- batched operations ----------------------------------------------------------------------


def batch_get(
    keys_by_table: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    consistent: bool = False,
    projections: Mapping[str, str] | None = None,
) -> dict[str, list[Item]]:
    """Fetch every key (any number, any tables), 100 per request, retrying unprocessed keys.

    ``projections`` maps a table to the attributes to return from it (keys only, say).
    """
    projections = projections or {}
    flat = [(table, to_item(key)) for table, keys in keys_by_table.items() for key in keys]
    found: dict[str, list[Item]] = {table: [] for table in keys_by_table}
    client = aws.dynamodb()
    for chunk in chunked(flat, BATCH_GET_MAX):
        request: dict[str, Any] = {}
        for table, key in chunk:
            if table not in request:
                request[table] = {"Keys": [], "ConsistentRead": consistent}
                if table in projections:
                    request[table]["ProjectionExpression"] = projections[table]
            request[table]["Keys"].append(key)
        delays = backoff_delays()
        while request:
            response = _call(client.batch_get_item, RequestItems=request, ReturnConsumedCapacity="TOTAL")
            for table, items in (response or {}).get("Responses", {}).items():
                found[table].extend(from_item(i) for i in items)
            request = request if response is None else response.get("UnprocessedKeys") or {}
            if request:
                delay = None if response is None else next(delays, None)
                if delay is None:
                    raise UnprocessedError(request)
                sleep(delay)
    return found


def batch_write(table: str, items: Iterable[Mapping[str, Any]]) -> None:
    """Put every item, 25 per request, retrying unprocessed items with backoff.

    Raises ``UnprocessedError`` with what is left when retries are exhausted; whatever was
    written stays written (every put here is idempotent, so a retry of the whole call converges).
    """
    requests = [{"PutRequest": {"Item": to_item(item)}} for item in items]
    client = aws.dynamodb()
    for index, chunk in enumerate(chunked(requests, BATCH_WRITE_MAX)):
        pending: dict[str, Any] = {table: list(chunk)}
        delays = backoff_delays()
        while pending:
            # A timeout may have written some or all of the chunk: harmless, every put here repeats.
            response = _call(client.batch_write_item, RequestItems=pending, ReturnConsumedCapacity="TOTAL")
            pending = pending if response is None else response.get("UnprocessedItems") or {}
            if pending:
                delay = None if response is None else next(delays, None)
                if delay is None:
                    left = pending[table] + requests[(index + 1) * BATCH_WRITE_MAX :]
                    raise UnprocessedError([r["PutRequest"]["Item"] for r in left])
                sleep(delay)


def put_action(table: str, item: Mapping[str, Any], condition: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One Put of a TransactWriteItems request (``condition``: ConditionExpression and its values)."""
    return {"Put": {"TableName": table, "Item": to_item(item), **(condition or {})}}


def cancellation_codes(error: ClientError) -> list[str]:
    """The per-item reasons of a TransactionCanceledException ('None', 'ConditionalCheckFailed', ...)."""
    reasons = error.response.get("CancellationReasons") or []
    return [r.get("Code", "None") for r in reasons]


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def batch_delete(table: str, keys: Sequence[Mapping[str, Any]]) -> None:
    """Delete every key, 25 per request, retrying unprocessed deletes with backoff (deleting an
    absent item succeeds, so a retry of the whole call converges)."""
    requests = [{"DeleteRequest": {"Key": to_item(key)}} for key in keys]
    client = aws.dynamodb()
    for chunk in chunked(requests, BATCH_WRITE_MAX):
        pending: dict[str, Any] = {table: list(chunk)}
        delays = backoff_delays()
        while pending:
            response = client.batch_write_item(RequestItems=pending, ReturnConsumedCapacity="TOTAL")
            pending = response.get("UnprocessedItems") or {}
            if pending:
                delay = next(delays, None)
                if delay is None:
                    raise UnprocessedError(pending[table])
                sleep(delay)


# --- conditional writes ----------------------------------------------------------------------


class ConditionFailed(Conflict):
    """A write's condition did not hold (the item changed, or is not in the required state).
    Nothing was written: a single write and a transaction are both all-or-nothing. It is a
    ``Conflict``, so a request that loses a race is a 409 unless a service says more."""

    def __init__(self, message: str = "the record changed meanwhile; reload it and try again") -> None:
        super().__init__(message)


_SINGLE = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}


def write(actions: Sequence[Mapping[str, Any]]) -> None:
    """Apply ``actions`` (TransactWriteItems entries: ``{"Put"|"Update"|"Delete"|"ConditionCheck": {...}}``)
    atomically: one plain write when there is one action (half the cost of a transaction),
    otherwise one TransactWriteItems. Raises ``ConditionFailed`` when a condition fails or a
    concurrent transaction touched the same items; other errors propagate."""
    client = aws.dynamodb()
    try:
        if len(actions) == 1 and next(iter(actions[0])) in _SINGLE:
            ((kind, params),) = actions[0].items()
            getattr(client, _SINGLE[kind])(**params, ReturnConsumedCapacity="TOTAL")
        else:
            if len(actions) > TRANSACT_MAX:
                raise ValueError("a transaction holds at most 100 actions")
            client.transact_write_items(TransactItems=list(actions), ReturnConsumedCapacity="TOTAL")
    except ClientError as error:
        code = error_code(error)
        if code == "ConditionalCheckFailedException":
            raise ConditionFailed from None
        if code == "TransactionCanceledException":
            reasons = set(cancellation_codes(error))
            if reasons & {"ConditionalCheckFailed", "TransactionConflict"}:
                raise ConditionFailed from None
        raise


def update_if(table: str, key: Mapping[str, Any], **request: Any) -> Item:
    """One conditional UpdateItem (``request`` holds its expressions); the item as it is after the
    update. A false condition raises ``ConditionFailed``."""
    try:
        response = aws.dynamodb().update_item(TableName=table, Key=to_item(key), **request,
                                              ReturnValues="ALL_NEW", ReturnConsumedCapacity="TOTAL")
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            raise ConditionFailed from None
        raise
    return from_item(response["Attributes"])


def versioned_put(table: str, item: Mapping[str, Any], expected_version: int | None) -> dict[str, Any]:
    """A Put action that succeeds only if the stored item still has ``expected_version``
    (``None``: only if no item has this key yet)."""
    action: dict[str, Any] = {"TableName": table, "Item": to_item(item)}
    if expected_version is None:
        action["ConditionExpression"] = "attribute_not_exists(sk)"
    else:
        action["ConditionExpression"] = "version = :expected"
        action["ExpressionAttributeValues"] = {":expected": {"N": str(expected_version)}}
    return {"Put": action}


def versioned_delete(table: str, key: Mapping[str, Any], expected_version: int) -> dict[str, Any]:
    return {"Delete": {"TableName": table, "Key": to_item(key), "ConditionExpression": "version = :expected",
                       "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}}}}


def query_page(request: dict[str, Any]) -> tuple[list[Item], dict[str, Any] | None]:
    """One Query request: the decoded items and LastEvaluatedKey (decoded), if any."""
    response = aws.dynamodb().query(**request, ReturnConsumedCapacity="TOTAL")
    last = response.get("LastEvaluatedKey")
    return [from_item(i) for i in response.get("Items", [])], (from_item(last) if last else None)


def query_all(request: dict[str, Any]) -> list[Item]:
    """Every item a Query matches, following LastEvaluatedKey: only for reads bounded by design
    (one user's window of readings, one user's summary)."""
    items: list[Item] = []
    while True:
        page, last = query_page(request)
        items.extend(page)
        if last is None:
            return items
        request["ExclusiveStartKey"] = to_item(last)


def find_by_id(table: str, index: str, id_attribute: str, user_id: str, item_id: str) -> Item | None:
    """The item of ``user_id`` whose ``id_attribute`` is ``item_id``, via a local index keyed
    (userId, id): one Query of at most one item, never outside the user's partition."""
    response = aws.dynamodb().query(
        TableName=table, IndexName=index, KeyConditionExpression="userId = :u AND #id = :id",
        ExpressionAttributeNames={"#id": id_attribute},
        ExpressionAttributeValues={":u": {"S": user_id}, ":id": {"S": item_id}}, Limit=1,
        ReturnConsumedCapacity="TOTAL",
    )
    items = response.get("Items", [])
    return from_item(items[0]) if items else None
