"""Counting DynamoDB requests (botocore event hooks) and estimating the capacity they consume.

moto does not model capacity (a Query of any size reports 1.0), so read units are computed
from the returned items with DynamoDB's documented rules: a Query or Scan sums item sizes and
rounds up to 4 KB per request; GetItem and BatchGetItem round each item up to 4 KB; an
eventually consistent read costs half.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

READ_OPS = {"GetItem", "Query", "Scan", "BatchGetItem"}


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute name lengths plus value sizes."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(av: dict[str, Any]) -> int:
    ((tag, raw),) = av.items()
    if tag == "S":
        return len(raw.encode())
    if tag == "N":
        return (len(raw.lstrip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in raw.items())
    if tag == "L":
        return 3 + sum(_value_size(v) + 1 for v in raw)
    return len(str(raw))


@dataclass
class Calls:
    operations: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    items_read: int = 0
    items_scanned: int = 0  # what a Query or Scan evaluated, a FilterExpression's rejects included

    @property
    def total(self) -> int:
        return sum(self.operations.values())

    def reset(self) -> None:
        self.operations.clear()
        self.read_units = 0.0
        self.items_read = 0
        self.items_scanned = 0


class CallCounter:
    """Attach to a botocore DynamoDB client; counts every request and estimates read units."""

    def __init__(self, client: Any) -> None:
        self.calls = Calls()
        self._client = client
        self._last_consistent = False
        client.meta.events.register("before-call.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.operations[model.name] += 1
        requests = params.get("RequestItems", {}).values() if model.name == "BatchGetItem" else [params]
        self._last_consistent = any(r.get("ConsistentRead") for r in requests)

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        op = model.name
        if op not in READ_OPS:
            return
        factor = 1.0 if self._last_consistent else 0.5
        if op in ("Query", "Scan"):
            items = parsed.get("Items", [])
            self.calls.items_read += len(items)
            self.calls.items_scanned += parsed.get("ScannedCount", len(items))
            self.calls.read_units += max(1, math.ceil(sum(item_size(i) for i in items) / 4096)) * factor
        elif op == "GetItem":
            item = parsed.get("Item")
            self.calls.items_read += 1 if item else 0
            self.calls.read_units += max(1, math.ceil(item_size(item) / 4096) if item else 1) * factor
        else:
            for items in parsed.get("Responses", {}).values():
                self.calls.items_read += len(items)
                self.calls.read_units += sum(max(1, math.ceil(item_size(i) / 4096)) for i in items) * factor

    def detach(self) -> None:
        self._client.meta.events.unregister("before-call.dynamodb", self._before)
        self._client.meta.events.unregister("after-call.dynamodb", self._after)


def recreate_tables(client: Any) -> None:
    """Empty every table of template.yaml by deleting and creating it again (moto answers a Query
    by scanning the whole table, so tests that run many examples start each one afresh)."""
    from clinic_tools import template
    from tests.support import env

    for args in template.table_definitions(env.TABLE_PREFIX).values():
        client.delete_table(TableName=args["TableName"])
        client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
