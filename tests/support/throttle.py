"""A DynamoDB front for tests: per-partition throughput, enforced in front of in-process moto.

DynamoDB serves at most 3,000 read units and 1,000 write units per second from one partition key
value, on a table and on each of its global secondary indexes alike (an index write that cannot
be made throttles the base-table write that caused it); a local secondary index lives in its
table's partitions, so its reads and writes are charged to the table's partition key. moto has no
notion of any of it, so this front keeps a token bucket per (table, index, partition key value)
and kind of unit, and answers a request that would overdraw one as DynamoDB does:

- a single-item request: HTTP 400 ``ProvisionedThroughputExceededException``, the same body
  DynamoDB sends, so botocore's own retry handler (standard mode: backoff, retry quota) runs;
- ``BatchWriteItem`` / ``BatchGetItem``: the throttled items come back in ``UnprocessedItems`` /
  ``UnprocessedKeys`` while the rest are applied; ``ProvisionedThroughputExceededException`` only
  when every item is throttled;
- ``TransactWriteItems``: ``TransactionCanceledException`` with reason ``ThrottlingError`` for the
  throttled action, ``None`` for the others, and nothing applied.

It takes the place of moto's own ``before-send`` handler on the client (botocore runs every
handler of that event, so a refused request must never reach moto) and hands moto what it lets
through: inside botocore's retry loop, so a throttled attempt is retried exactly as against DynamoDB. Time is a
``SimulatedClock``: buckets refill with it and botocore's and our backoff sleeps advance it, so a
test drives the model's request rate and no result depends on how fast this machine is.
``scale`` is how a machine this size drives a million patients: the simulation sends what 1/k of
the population sends, each person at their full rate. A partition keyed by one person (a user,
an actor, an email, a connection) then sees exactly its real load and keeps DynamoDB's limits; a
partition the population shares (a day, a role, a shard) sees 1/k of its real load, so its
limits are divided by k. Either way each partition's load ratio is the real one. ``scales``
gives some tables or indexes a k of their own, for a simulation that drives the callers who reach
them at another fraction of their population (each shared partition must see all of its callers
at its k). ``scale_all`` divides every partition's limits: a smaller DynamoDB, to throttle one
person's partitions with few requests.

Write units: 1 per KB of the item (rounded up) on the table, and per KB of the projected item on
each index whose key the item has, twice that in a transaction. Read units: charged after the
response from the items returned (4 KB per unit, half for an eventually consistent read), as
DynamoDB does; a read is refused while its partition's read bucket is empty.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import botocore.endpoint
from botocore.awsrequest import AWSResponse

from tests.support.dynamo import item_size

READ_UNITS_PER_PARTITION = 3000.0
WRITE_UNITS_PER_PARTITION = 1000.0
# Partition key attributes that name one person (or one link, one connection): their partitions
# carry one person's load, whatever the population.
PER_PERSON_KEYS = frozenset({"userId", "actorId", "email", "connectionId"})

THROTTLED_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. "
                     "Consider increasing your provisioning level with the UpdateTable API.")
TRANSACTION_THROTTLED = ("Throughput exceeds the current capacity of your table or index. DynamoDB is "
                         "automatically scaling your table or index so please try again shortly. If exceptions "
                         "persist, check if you have a hot key: "
                         "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html.")

Partition = tuple[str, str, str]  # table, index ("" for the table itself), partition key value


class SimulatedClock:
    """Seconds since the start of a simulation; sleeping advances it instead of waiting.

    Many callers send at once in the model, one after the other here: ``at(t)`` starts the next
    caller's request at its own scheduled time, even when an earlier caller's backoff went past
    it (its retries happened "in parallel"). A bucket never refills backwards in time."""

    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def at(self, t: float) -> None:
        self.now = t


@dataclass
class _Index:
    hash_key: str
    range_key: str | None
    projected: frozenset[str] | None  # None: every attribute (ALL)


@dataclass
class _Table:
    hash_key: str
    range_key: str | None
    indexes: dict[str, _Index]  # global: partitions of their own
    local: dict[str, _Index] = field(default_factory=dict)  # local: in the table's own partitions


def _keys(schema: list[dict[str, str]]) -> tuple[str, str | None]:
    by_type = {k["KeyType"]: k["AttributeName"] for k in schema}
    return by_type["HASH"], by_type.get("RANGE")


def _schemas(definitions: Mapping[str, Mapping[str, Any]]) -> dict[str, _Table]:
    tables = {}
    for args in definitions.values():
        indexes: dict[str, dict[str, _Index]] = {"GlobalSecondaryIndexes": {}, "LocalSecondaryIndexes": {}}
        for kind, found in indexes.items():
            for index in args.get(kind, []):
                h, r = _keys(index["KeySchema"])
                projection = index["Projection"]
                projected = None
                if projection["ProjectionType"] != "ALL":
                    projected = frozenset(projection.get("NonKeyAttributes", []))
                found[index["IndexName"]] = _Index(h, r, projected)
        h, r = _keys(args["KeySchema"])
        tables[args["TableName"]] = _Table(h, r, indexes["GlobalSecondaryIndexes"], indexes["LocalSecondaryIndexes"])
    return tables


@dataclass
class Usage:
    """What the simulation consumed and refused, per partition."""

    read_units: Counter[Partition] = field(default_factory=Counter)
    write_units: Counter[Partition] = field(default_factory=Counter)
    throttled: Counter[Partition] = field(default_factory=Counter)

    def hottest(self, table: str, index: str = "") -> tuple[str, float]:
        """The partition key value of ``table``/``index`` that took the most write units, and those units."""
        mine = {p[2]: u for p, u in self.write_units.items() if p[:2] == (table, index)}
        if not mine:
            return "", 0.0
        key = max(mine, key=lambda k: mine[k])
        return key, mine[key]


class _Raw(BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _error(url: str, body: dict[str, Any]) -> AWSResponse:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "throttle-front",
               "Content-Length": str(len(data))}
    return AWSResponse(url, 400, headers, _Raw(data))


def _units(size: int, per: int) -> int:
    return max(1, math.ceil(size / per))


_ASSIGNMENT = re.compile(r"(#?[A-Za-z_][\w]*)\s*=\s*(:[\w]+)")


class PartitionThrottle:
    """Attach to a botocore DynamoDB client whose requests in-process moto answers."""

    def __init__(self, client: Any, definitions: Mapping[str, Mapping[str, Any]], *, scale: float = 1.0,
                 scales: Mapping[tuple[str, str], float] | None = None, clock: SimulatedClock | None = None,
                 burst_seconds: float = 1.0, scale_all: bool = False) -> None:
        self.clock = clock or SimulatedClock()
        self.usage = Usage()
        self._client = client
        self._tables = _schemas(definitions)
        self.scale = scale
        self.scales = dict(scales or {})  # (table name, index or "") -> its own k
        keyed = [((name, ""), table.hash_key) for name, table in self._tables.items()]
        keyed += [((name, i), x.hash_key) for name, table in self._tables.items() for i, x in table.indexes.items()]
        self._shared = {where for where, key in keyed if scale_all or key not in PER_PERSON_KEYS}
        self._burst = burst_seconds
        self._buckets: dict[tuple[Partition, str], list[float]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        from moto.core.models import botocore_stubber

        self._moto = botocore_stubber
        client.meta.events.unregister("before-send", botocore_stubber)
        client.meta.events.register("before-send.dynamodb", self._before_send)
        for op in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
            client.meta.events.register(f"after-call.dynamodb.{op}", self._charge_reads)
        client.meta.events.register("after-call.dynamodb.BatchWriteItem", self._add_unprocessed)
        client.meta.events.register("after-call.dynamodb.BatchGetItem", self._add_unprocessed)

    def detach(self) -> None:
        self._client.meta.events.unregister("before-send.dynamodb", self._before_send)
        self._client.meta.events.register("before-send", self._moto)
        for op in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
            self._client.meta.events.unregister(f"after-call.dynamodb.{op}", self._charge_reads)
        self._client.meta.events.unregister("after-call.dynamodb.BatchWriteItem", self._add_unprocessed)
        self._client.meta.events.unregister("after-call.dynamodb.BatchGetItem", self._add_unprocessed)

    # --- buckets -------------------------------------------------------------------------------

    def limit(self, partition: Partition, kind: str) -> float:
        """Units per simulated second this partition takes (see ``scale`` above)."""
        full = READ_UNITS_PER_PARTITION if kind == "read" else WRITE_UNITS_PER_PARTITION
        return full / self.scales.get(partition[:2], self.scale) if partition[:2] in self._shared else full

    def _tokens(self, partition: Partition, kind: str) -> list[float]:
        rate = self.limit(partition, kind)
        bucket = self._buckets.setdefault((partition, kind), [rate * self._burst, self.clock.now])
        elapsed = max(0.0, self.clock.now - bucket[1])
        bucket[0] = min(rate * self._burst, bucket[0] + elapsed * rate)
        bucket[1] = max(bucket[1], self.clock.now)
        return bucket

    def _can_write(self, charges: Counter[Partition]) -> list[Partition]:
        """The partitions among ``charges`` that cannot take their write units now."""
        return [p for p, units in charges.items() if self._tokens(p, "write")[0] < units]

    def _take_writes(self, charges: Counter[Partition]) -> None:
        for p, units in charges.items():
            self._tokens(p, "write")[0] -= units
            self.usage.write_units[p] += units

    def _can_read(self, partition: Partition) -> bool:
        return self._tokens(partition, "read")[0] > 0

    # --- what a request touches -----------------------------------------------------------------

    def _write_charges(self, table_name: str, new: Mapping[str, Any] | None, old: Mapping[str, Any] | None,
                       changed: set[str] | None, factor: int = 1) -> Counter[Partition]:
        """Write units of one item write: the table, and each index whose entry it writes or removes."""
        table = self._tables[table_name]
        present = new or old or {}
        charges: Counter[Partition] = Counter()
        charges[(table_name, "", _plain(present[table.hash_key]))] += _units(item_size(dict(present)), 1024) * factor
        for name, index in [*table.indexes.items(), *table.local.items()]:
            for version in (old, new):
                if not version or index.hash_key not in version or (index.range_key and index.range_key not in version):
                    continue
                if changed is not None and index.projected is not None:
                    keys = {index.hash_key, index.range_key, table.hash_key, table.range_key}
                    if not changed & (set(index.projected) | keys):
                        continue  # an update that leaves this index's entry as it is
                projected = {k: v for k, v in version.items()
                             if index.projected is None or k in index.projected
                             or k in (index.hash_key, index.range_key, table.hash_key, table.range_key)}
                where = "" if name in table.local else name  # a local index writes the table's partition
                charges[(table_name, where, _plain(version[index.hash_key]))] += (
                    _units(item_size(projected), 1024) * factor)
        return charges

    def _stored(self, table_name: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """The item as moto holds it now (for the index entries an update or delete rewrites)."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        table = self._tables[table_name]
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        try:
            stored = backend.get_table(table_name).get_item(
                _moto_value(key[table.hash_key]), _moto_value(key[table.range_key]) if table.range_key else None)
        except KeyError:
            return None
        return stored.to_json()["Attributes"] if stored else None

    def _update_charges(self, action: Mapping[str, Any], factor: int = 1) -> Counter[Partition]:
        table_name, key = action["TableName"], action["Key"]
        old = self._stored(table_name, key)
        names = action.get("ExpressionAttributeNames", {})
        values = action.get("ExpressionAttributeValues", {})
        expression = action.get("UpdateExpression", "")
        changed = {names.get(n, n) for n, _ in _ASSIGNMENT.findall(expression)}
        changed |= {names.get(n, n) for n in re.findall(r"(?:ADD|REMOVE|DELETE)\s+(#?\w+)", expression)}
        new = {**(old or {}), **key}
        for name, value in _ASSIGNMENT.findall(expression):
            if value in values:
                new[names.get(name, name)] = values[value]
        return self._write_charges(table_name, new, old, changed, factor)

    def _action_charges(self, kind: str, action: Mapping[str, Any], factor: int = 1) -> Counter[Partition]:
        if kind == "Put":
            key = self._key_of(action["TableName"], action["Item"])
            return self._write_charges(action["TableName"], action["Item"], self._stored(action["TableName"], key),
                                       None, factor)
        if kind == "Update":
            return self._update_charges(action, factor)
        if kind == "Delete":
            old = self._stored(action["TableName"], action["Key"])
            return self._write_charges(action["TableName"], None, old or action["Key"], None, factor)
        # ConditionCheck: a read in the transaction, charged as one write-sized unit like DynamoDB
        table = self._tables[action["TableName"]]
        return Counter({(action["TableName"], "", _plain(action["Key"][table.hash_key])): factor})

    def _key_of(self, table_name: str, item: Mapping[str, Any]) -> dict[str, Any]:
        table = self._tables[table_name]
        return {k: item[k] for k in (table.hash_key, table.range_key) if k}

    def _read_partition(self, op: str, params: Mapping[str, Any]) -> Partition | None:
        table_name = params["TableName"]
        if op == "GetItem":
            return (table_name, "", _plain(params["Key"][self._tables[table_name].hash_key]))
        if op == "Query":
            table = self._tables[table_name]
            index = params.get("IndexName", "")
            index = "" if index in table.local else index  # a local index is read from the table's partition
            hash_key = table.indexes[index].hash_key if index else table.hash_key
            names = params.get("ExpressionAttributeNames", {})
            for name, value in _ASSIGNMENT.findall(params["KeyConditionExpression"]):
                if names.get(name, name) == hash_key:
                    return (table_name, index, _plain(params["ExpressionAttributeValues"][value]))
        return None  # a Scan reads every partition: not modelled

    # --- the hooks ------------------------------------------------------------------------------

    def _before_send(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self._moto(request=request, **kwargs)

    def _refusal(self, request: Any) -> AWSResponse | None:
        op = request.headers.get("X-Amz-Target", b"")
        op = (op.decode() if isinstance(op, bytes) else op).rsplit(".", 1)[-1]
        body = request.body
        params = json.loads(body.decode() if isinstance(body, bytes) else body or "{}")
        self._local.unprocessed = None
        self._local.consistent = bool(params.get("ConsistentRead"))
        with self._lock:
            if op in ("PutItem", "UpdateItem", "DeleteItem"):
                charges = self._action_charges(op.removesuffix("Item"), params)
                if self._can_write(charges):
                    return self._throttled(request.url, charges)
                self._take_writes(charges)
            elif op == "TransactWriteItems":
                actions = [next(iter(a.items())) for a in params["TransactItems"]]
                per_action = [self._action_charges(kind, action, factor=2) for kind, action in actions]
                refused = [bool(self._can_write(c)) for c in per_action]
                if any(refused):
                    for charges, no in zip(per_action, refused, strict=True):
                        self.usage.throttled.update(p for p in charges if no)
                    return _error(request.url, _cancelled(refused))
                for charges in per_action:
                    self._take_writes(charges)
            elif op == "BatchWriteItem":
                return self._batch_write(request, params)
            elif op == "BatchGetItem":
                return self._batch_get(request, params)
            elif op in ("GetItem", "Query"):
                partition = self._read_partition(op, params)
                if partition and not self._can_read(partition):
                    self.usage.throttled[partition] += 1
                    return _error(request.url, _throughput_exceeded())
                self._local.read = partition
        return None

    def _throttled(self, url: str, charges: Counter[Partition]) -> AWSResponse:
        for p in self._can_write(charges):
            self.usage.throttled[p] += 1
        return _error(url, _throughput_exceeded())

    def _batch_write(self, request: Any, params: dict[str, Any]) -> AWSResponse | None:
        kept: dict[str, list[Any]] = {}
        unprocessed: dict[str, list[Any]] = {}
        for table_name, writes in params["RequestItems"].items():
            for write in writes:
                if "PutRequest" in write:
                    charges = self._action_charges("Put", {"TableName": table_name, **write["PutRequest"]})
                else:
                    charges = self._action_charges("Delete", {"TableName": table_name, **write["DeleteRequest"]})
                if self._can_write(charges):
                    self.usage.throttled.update(self._can_write(charges))
                    unprocessed.setdefault(table_name, []).append(write)
                else:
                    self._take_writes(charges)
                    kept.setdefault(table_name, []).append(write)
        return self._partial(request, params, kept, unprocessed, "UnprocessedItems")

    def _batch_get(self, request: Any, params: dict[str, Any]) -> AWSResponse | None:
        kept: dict[str, Any] = {}
        unprocessed: dict[str, Any] = {}
        for table_name, spec in params["RequestItems"].items():
            for key in spec["Keys"]:
                partition = (table_name, "", _plain(key[self._tables[table_name].hash_key]))
                target = kept if self._can_read(partition) else unprocessed
                if target is unprocessed:
                    self.usage.throttled[partition] += 1
                target.setdefault(table_name, {**spec, "Keys": []})["Keys"].append(key)
        return self._partial(request, params, kept, unprocessed, "UnprocessedKeys")

    def _partial(self, request: Any, params: dict[str, Any], kept: dict[str, Any], unprocessed: dict[str, Any],
                 field_name: str) -> AWSResponse | None:
        if not unprocessed:
            return None
        if not kept:
            return _error(request.url, _throughput_exceeded())
        # Send moto only what this front let through; the rest comes back as unprocessed.
        body = json.dumps({**params, "RequestItems": kept}).encode()
        request.body = body
        request.headers["Content-Length"] = str(len(body))
        self._local.unprocessed = (field_name, unprocessed)
        return None

    def _add_unprocessed(self, parsed: dict[str, Any], **_: Any) -> None:
        pending = getattr(self._local, "unprocessed", None)
        if pending and "Error" not in parsed:
            field_name, unprocessed = pending
            # (DynamoDB's JSON: botocore parses attribute values to these same dicts)
            parsed[field_name] = {**parsed.get(field_name, {}), **unprocessed}
        self._local.unprocessed = None

    def _charge_reads(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if "Error" in parsed:
            return
        factor = 1.0 if getattr(self._local, "consistent", False) else 0.5
        with self._lock:
            if model.name == "BatchGetItem":
                for table_name, items in parsed.get("Responses", {}).items():
                    hash_key = self._tables[table_name].hash_key
                    for item in items:
                        self._take_read((table_name, "", _plain(item[hash_key])), _units(item_size(item), 4096) * 0.5)
                return
            partition = getattr(self._local, "read", None)
            if partition is None:
                return
            items = parsed.get("Items") or ([parsed["Item"]] if parsed.get("Item") else [])
            self._take_read(partition, _units(sum(item_size(i) for i in items), 4096) * factor)

    def _take_read(self, partition: Partition, units: float) -> None:
        self._tokens(partition, "read")[0] -= units
        self.usage.read_units[partition] += units


def _plain(av: Mapping[str, Any]) -> str:
    ((_, raw),) = av.items()
    return str(raw)


def _moto_value(av: Mapping[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(dict(av))


def _throughput_exceeded() -> dict[str, Any]:
    return {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": THROTTLED_MESSAGE}


def _cancelled(refused: list[bool]) -> dict[str, Any]:
    codes = ["ThrottlingError" if no else "None" for no in refused]
    return {"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": f"Transaction cancelled, please refer cancellation reasons for specific reasons "
                       f"[{', '.join(codes)}]",
            "CancellationReasons": [{"Code": "ThrottlingError", "Message": TRANSACTION_THROTTLED} if no
                                    else {"Code": "None"} for no in refused]}


def simulated_sleeps(monkeypatch: Any, clock: SimulatedClock) -> None:
    """botocore's retry backoff and the write path's own backoff advance ``clock`` instead of sleeping."""
    from clinic.repositories import dynamo

    class _Time:
        sleep = staticmethod(clock.sleep)

        def __getattr__(self, name: str) -> Any:
            import time

            return getattr(time, name)

    monkeypatch.setattr(botocore.endpoint, "time", _Time())
    monkeypatch.setattr(dynamo, "sleep", clock.sleep)
