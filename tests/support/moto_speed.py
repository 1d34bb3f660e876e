"""Partition-local Query cost for in-process moto.

moto answers a table Query by sorting EVERY item of the table and keeping the partition's
(moto/dynamodb/models/table.py, ``Table.query`` -> ``all_items``), so its wall time grows with
the table while DynamoDB's grows with the partition read. Tests and benchmarks that store
thousands of users to show that our requests do NOT grow with them patch moto to look only at
the queried partition. Results are identical (``tests/unit/test_moto_speed.py`` checks it); only
moto's own bookkeeping gets cheaper. Index queries are left as they are.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from moto.dynamodb.models.table import Table

from clinic.repositories import dynamo

_original_query = Table.query


def _partition_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    if kwargs.get("index_name") or hash_key is None or (len(args) >= 7 and args[6]):
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


def bulk_put(table_name: str, items: Iterable[Mapping[str, Any]]) -> None:
    """Test SETUP only: store items straight into in-process moto's backend, skipping request
    serialization and parsing (about 7x faster for thousands of users). The stored items are what
    a PutItem stores; the code under test never comes through here."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    for item in items:
        backend.put_item(table_name, dynamo.to_item(item))
