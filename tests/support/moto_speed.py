"""Partition-local Query cost and item-local transaction backups for in-process moto.

moto answers a table Query by sorting EVERY item of the table and keeping the partition's
(moto/dynamodb/models/table.py, ``Table.query`` -> ``all_items``), so its wall time grows with
the table while DynamoDB's grows with the partition read. Tests and benchmarks that store
thousands of users to show that our requests do NOT grow with them patch moto to look only at
the queried partition, and on an index keyed like its table (``userId``) at that partition's
items; other index queries are left as they are.

moto's TransactWriteItems deep-copies every table it names before writing, to put the copy back if
an action fails (clinic_local.motoserver keeps it to one copy per table): a transaction's wall time
grows with the tables it touches. ``item_local_transactions`` backs up only the items the
transaction names (and the length of each stream) and puts those back instead, for tests that
drive thousands of transactions (the hot-partition simulation).

Results are identical (``tests/unit/test_moto_speed.py`` checks both); only moto's own bookkeeping
gets cheaper.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import moto.dynamodb.models as moto_models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from clinic.repositories import dynamo

_original_query = Table.query


def _keyed_like_its_table(table: Table, index_name: str) -> bool:
    """An index whose partition key is the table's (``userId`` on both): its partition is in the
    table's partition's items."""
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    return index is not None and any(k["KeyType"] == "HASH" and k["AttributeName"] == table.hash_key_attr
                                     for k in index.schema)


def _partition_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name") or (args[6] if len(args) >= 7 else None)
    if hash_key is None or (index_name and not _keyed_like_its_table(self, index_name)):
        return _original_query(self, hash_key, *args, **kwargs)
    everything = self.items
    try:
        self.items = {hash_key: everything[hash_key]} if hash_key in everything else {}  # type: ignore[assignment]
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        self.items = everything


@contextlib.contextmanager
def partition_local_queries() -> Iterator[None]:
    Table.query = _partition_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = _original_query  # type: ignore[method-assign]


class _TablesAsTheyAre:
    """Stands in for the ``copy`` module inside moto's TransactWriteItems: a table's "backup" is
    the table itself, so moto's rollback changes nothing and ``item_local_transactions`` puts back
    the items instead."""

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        return obj if isinstance(obj, Table) else copy.deepcopy(obj, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_Saved = tuple[Table, DynamoType, DynamoType | None, Any]
_transaction_lock = threading.Lock()


def _backup(tables: Mapping[str, Table], transact_items: list[dict[str, Any]]) -> tuple[list[_Saved], list[Any]]:
    """A copy of every item the transaction names (None: absent) and each stream's length."""
    saved: list[_Saved] = []
    streams: dict[int, tuple[Any, int]] = {}
    for action in transact_items:
        op = next(iter(action.values()))
        table = tables.get(op.get("TableName"))
        key = op.get("Key") or op.get("Item") or {}
        if table is None or table.hash_key_attr not in key or (table.range_key_attr and
                                                                table.range_key_attr not in key):
            continue  # moto refuses it before writing anything
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
        if table.stream_shard is not None:
            streams.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
    return saved, list(streams.values())


def _restore(saved: list[_Saved], streams: list[Any]) -> None:
    for table, hash_value, range_value, item in reversed(saved):
        if range_value is None:
            if item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
        elif item is not None:
            table.items[hash_value][range_value] = item
        elif hash_value in table.items:
            table.items[hash_value].pop(range_value, None)
            if not table.items[hash_value]:
                del table.items[hash_value]
    for shard, length in streams:
        del shard.items[length:]


_moto_transact = moto_models.DynamoDBBackend.transact_write_items


def _item_local_transact(self: Any, transact_items: list[dict[str, Any]]) -> None:
    moto_own = getattr(_moto_transact, "__wrapped__", _moto_transact)  # past backup_tables_once
    with _transaction_lock:
        saved, streams = _backup(self.tables, transact_items)
        moto_models.copy = _TablesAsTheyAre()  # type: ignore[assignment]
        try:
            moto_own(self, transact_items)
        except Exception:
            _restore(saved, streams)
            raise
        finally:
            moto_models.copy = copy  # type: ignore[assignment]


@contextlib.contextmanager
def item_local_transactions() -> Iterator[None]:
    """Within: moto's TransactWriteItems backs up the items it names, not whole tables."""
    global _moto_transact
    _moto_transact = moto_models.DynamoDBBackend.transact_write_items
    moto_models.DynamoDBBackend.transact_write_items = _item_local_transact  # type: ignore[method-assign]
    try:
        yield
    finally:
        moto_models.DynamoDBBackend.transact_write_items = _moto_transact  # type: ignore[method-assign]


def bulk_put(table_name: str, items: Iterable[Mapping[str, Any]]) -> None:
    """Test SETUP only: store items straight into in-process moto's backend, skipping request
    serialization and parsing (about 7x faster for thousands of users). The stored items are what
    a PutItem stores; the code under test never comes through here."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    for item in items:
        backend.put_item(table_name, dynamo.to_item(item))
