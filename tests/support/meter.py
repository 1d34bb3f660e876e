"""Metering every AWS call an invocation makes: requests per service and operation, and DynamoDB
read and write units per table and index, with the partition each unit lands on.

moto answers ``ReturnConsumedCapacity=INDEXES`` with a constant (0.5 or 1.0 whatever the size) and
no index write units, so units are computed from item sizes with DynamoDB's documented rules (the
same as ``tests.support.dynamo``): reads round the summed size of a Query up to 4 KB, each item of
a GetItem or BatchGetItem up to 4 KB, half for eventually consistent reads; writes round the larger
of the item's before and after image up to 1 KB, twice inside a transaction; a base-table write
also writes every secondary index whose key attributes the item has before or after (two
writes when the index key changes), at the size of the projected item.

Partitions are recorded as a class: ``user`` when the key is, or carries, one of the invocation's subjects (the
caller, the patient of a staff route, a connection id) or is one item's own id, otherwise ``shared:<key>`` with digits
replaced by 9 (``shared:9999-99-99`` is one partition per day).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from clinic_tools import template
from tests.support import env
from tests.support.dynamo import item_size

STORAGE_OVERHEAD = 100
_OWN_ID = re.compile(r"[0-9a-f]{32}")
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_EQUALS = re.compile(r"(#?[\w]+)\s*=\s*(:[\w]+)")


@dataclass(frozen=True)
class Schema:
    logical_id: str
    hash_key: str
    range_key: str | None
    indexes: dict[str, tuple[str, str | None, str, tuple[str, ...]]]  # name -> hash, range, projection, include


def _schemas() -> dict[str, Schema]:
    schemas = {}
    for logical_id, args in template.table_definitions(env.TABLE_PREFIX).items():
        keys = {k["KeyType"]: k["AttributeName"] for k in args["KeySchema"]}
        indexes = {}
        # A local index's writes share the item's partition; they cost units all the same.
        for index in args.get("GlobalSecondaryIndexes", []) + args.get("LocalSecondaryIndexes", []):
            ikeys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
            projection = index["Projection"]
            indexes[index["IndexName"]] = (ikeys["HASH"], ikeys.get("RANGE"), projection["ProjectionType"],
                                           tuple(projection.get("NonKeyAttributes", ())))
        schemas[args["TableName"]] = Schema(logical_id, keys["HASH"], keys.get("RANGE"), indexes)
    return schemas


@dataclass
class Usage:
    """What one or more invocations used."""

    calls: Counter[str] = field(default_factory=Counter)  # "dynamodb:Query", "sqs:SendMessage", ...
    # (table logical id, index or "", "read"/"write", partition class) -> units
    units: defaultdict[tuple[str, str, str, str], float] = field(default_factory=lambda: defaultdict(float))
    items: Counter[str] = field(default_factory=Counter)  # "read"/"write": items and index entries
    stored: Counter[str] = field(default_factory=Counter)  # table logical id -> bytes added (net)

    def reset(self) -> None:
        self.calls.clear()
        self.units.clear()
        self.items.clear()
        self.stored.clear()


class Meter:
    """Registered on a botocore session before its clients are created (clients copy the session's
    event hooks): every client of the session is metered while ``active``."""

    def __init__(self, session: Any, raw_dynamodb: Any) -> None:
        self.usage = Usage()
        self.subjects: set[str] = set()
        self.active = False
        self._raw = raw_dynamodb  # for before and after images; its calls are not metered
        self._schemas = _schemas()
        self._pending: list[tuple[str, dict[str, Any], dict[str, Any] | None, float]] = []
        self._consistent = False
        self._params: dict[str, Any] = {}
        session.register("provide-client-params.dynamodb", self._api_params)
        session.register("before-call", self._before)
        session.register("after-call", self._after)

    # --- hooks --------------------------------------------------------------------------------

    def _api_params(self, params: dict[str, Any], **_: Any) -> None:
        self._params = params  # before-call sees the serialized request; this is the API's

    def _before(self, model: Any, **_: Any) -> None:
        if not self.active:
            return
        service = model.service_model.endpoint_prefix
        if service == "execute-api":
            service = "apigatewaymanagementapi"
        self.usage.calls[f"{service}:{model.name}"] += 1
        if service != "dynamodb":
            return
        op, params = model.name, self._params
        if op in WRITE_OPS:
            self._pending = [(table, key, self._image(table, key), factor)
                             for table, key, factor in self._writes(op, params)]
        else:
            requests = params.get("RequestItems", {}).values() if op == "BatchGetItem" else [params]
            self._consistent = any(r.get("ConsistentRead") for r in requests)

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if not self.active or model.service_model.endpoint_prefix != "dynamodb":
            return
        if model.name in WRITE_OPS:
            for table, key, before, factor in self._pending:
                self._charge_write(table, key, before, self._image(table, key), factor)
            self._pending = []
        else:
            self._charge_read(model.name, self._params, parsed)

    # --- reads --------------------------------------------------------------------------------

    def _charge_read(self, op: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        factor = 1.0 if self._consistent else 0.5
        if op in ("Query", "Scan"):
            table, index = params["TableName"], params.get("IndexName", "")
            schema = self._schemas[table]
            hash_key = schema.indexes[index][0] if index else schema.hash_key
            size = sum(item_size(i) for i in parsed.get("Items", []))
            self.usage.items["read"] += len(parsed.get("Items", []))
            units = max(1, math.ceil(size / 4096)) * factor
            self._add(table, index, "read", self._partition(self._query_key(params, hash_key)), units)
        elif op == "GetItem":
            table, item = params["TableName"], parsed.get("Item")
            self.usage.items["read"] += 1 if item else 0
            units = max(1, math.ceil(item_size(item) / 4096) if item else 1) * factor
            key = params["Key"][self._schemas[table].hash_key]
            self._add(table, "", "read", self._partition(_scalar(key)), units)
        elif op == "BatchGetItem":
            for table, items in parsed.get("Responses", {}).items():
                hash_key = self._schemas[table].hash_key
                self.usage.items["read"] += len(items)
                for item in items:
                    units = max(1, math.ceil(item_size(item) / 4096)) * factor
                    self._add(table, "", "read", self._partition(_scalar(item[hash_key])), units)
            for table, request in params.get("RequestItems", {}).items():  # misses cost the minimum
                found = len(parsed.get("Responses", {}).get(table, []))
                for key in request["Keys"][found:]:
                    self._add(table, "", "read", self._partition(_scalar(key[self._schemas[table].hash_key])),
                              factor)

    @staticmethod
    def _query_key(params: dict[str, Any], hash_key: str) -> str | None:
        names = params.get("ExpressionAttributeNames", {})
        for name, placeholder in _EQUALS.findall(params.get("KeyConditionExpression", "")):
            if names.get(name, name) == hash_key:
                return _scalar(params["ExpressionAttributeValues"][placeholder])
        return None

    # --- writes -------------------------------------------------------------------------------

    def _writes(self, op: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], float]]:
        """(table, key, unit factor) of every item the request writes."""
        if op == "BatchWriteItem":
            out = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        out.append((table, self._key_of(table, request["PutRequest"]["Item"]), 1.0))
                    else:
                        out.append((table, request["DeleteRequest"]["Key"], 1.0))
            return out
        if op == "TransactWriteItems":
            out = []
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                key = self._key_of(body["TableName"], body["Item"]) if kind == "Put" else body["Key"]
                out.append((body["TableName"], key, 2.0))
            return out
        key = self._key_of(params["TableName"], params["Item"]) if op == "PutItem" else params["Key"]
        return [(params["TableName"], key, 1.0)]

    def _key_of(self, table: str, item: dict[str, Any]) -> dict[str, Any]:
        schema = self._schemas[table]
        return {k: item[k] for k in (schema.hash_key, schema.range_key) if k}

    def _image(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        was, self.active = self.active, False
        try:
            return self._raw.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        finally:
            self.active = was

    def _charge_write(self, table: str, key: dict[str, Any], before: dict[str, Any] | None,
                      after: dict[str, Any] | None, factor: float) -> None:
        schema = self._schemas[table]
        largest = max(item_size(before or {}), item_size(after or {}))
        self.usage.items["write"] += 1
        self._store(table, before, after)
        self._add(table, "", "write", self._partition(_scalar(key[schema.hash_key])),
                  max(1, math.ceil(largest / 1024)) * factor)
        for index, (hash_key, range_key, projection, include) in schema.indexes.items():
            keys = tuple(k for k in (hash_key, range_key) if k)
            old = _index_entry(before, keys)
            new = _index_entry(after, keys)
            for image, entry in ((before, old), (after, new)):
                if entry is None or (image is before and entry == new and after is not None):
                    continue
                projected = _project(image or {}, schema, keys, projection, include)
                if image is after and entry == old and projected == _project(before or {}, schema, keys, projection,
                                                                            include):
                    continue  # a projection the write did not change is not rewritten
                self.usage.items["write"] += 1
                self._add(table, index, "write", self._partition(_scalar(image[hash_key])),  # type: ignore[index]
                          max(1, math.ceil(item_size(projected) / 1024)))
            self._store(table, _project(before or {}, schema, keys, projection, include) if old else None,
                        _project(after or {}, schema, keys, projection, include) if new else None)

    def _store(self, table: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        """DynamoDB bills storage as item sizes plus 100 bytes of overhead per item or index entry."""
        size = lambda image: item_size(image) + STORAGE_OVERHEAD if image else 0  # noqa: E731
        self.usage.stored[self._schemas[table].logical_id] += size(after) - size(before)

    # --- bookkeeping --------------------------------------------------------------------------

    def _partition(self, value: str | None) -> str:
        # A key that is a person's id, or carries it (the deletion mark "deleted#<sub>"), is theirs;
        # a key that is one item's own new id (32 hex digits: a refill request's in ByRequest) holds
        # that one item, as bounded as a person's.
        if (value is None or value in self.subjects or any(s and s in value for s in self.subjects)
                or _OWN_ID.fullmatch(value)):
            return "user"
        return "shared:" + re.sub(r"\d", "9", value)

    def _add(self, table: str, index: str, kind: str, partition: str, units: float) -> None:
        self.usage.units[(self._schemas[table].logical_id, index, kind, partition)] += units


def _scalar(av: dict[str, Any]) -> str:
    ((_, value),) = av.items()
    return str(value)


def _index_entry(image: dict[str, Any] | None, keys: tuple[str, ...]) -> tuple[str, ...] | None:
    if image is None or any(k not in image for k in keys):
        return None
    return tuple(_scalar(image[k]) for k in keys)


def _project(image: dict[str, Any], schema: Schema, keys: tuple[str, ...], projection: str,
             include: tuple[str, ...]) -> dict[str, Any]:
    if projection == "ALL":
        return image
    wanted = {schema.hash_key, schema.range_key, *keys, *(include if projection == "INCLUDE" else ())}
    return {k: v for k, v in image.items() if k in wanted}
