"""Rollups: one item per (user, biomarker, clinic-local day), keyed (userId, "<name>#<YYYY-MM-DD>").

A biomarker's days sort together in date order, so any range of days is one key condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clinic.repositories import dynamo, keys
from clinic.settings import get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings().rollups_table


def sort_key(name: str, day: str) -> str:
    return f"{name}{keys.SEP}{day}"


def put_many(items: Iterable[Mapping[str, Any]]) -> None:
    """Write rollups (25 per request); each put replaces the whole item, so a rerun converges."""
    dynamo.batch_write(_table(), items)
