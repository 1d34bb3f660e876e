"""Medications table: (userId, "<startedAt>#<medicationId>"), local index ById."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic.repositories import dynamo, keys
from clinic.settings import get_settings

Item = dict[str, Any]


def _table() -> str:
    return get_settings().medications_table


def to_item(user_id: str, medication: Mapping[str, Any]) -> Item:
    return {**medication, "userId": user_id, "sk": keys.timed(medication["startedAt"], medication["medicationId"])}


def put_many(user_id: str, medications: list[Mapping[str, Any]]) -> None:
    dynamo.batch_write(_table(), (to_item(user_id, m) for m in medications))
