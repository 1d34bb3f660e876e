"""Sort-key formats. Every user-data sort key starts with a 13-digit epoch-ms timestamp and ends
with a unique id, so two items recorded in the same millisecond never overwrite each other."""

from __future__ import annotations

import hashlib
import uuid

SEP = "#"
# Bounds of a prefix range: every timestamp-first key sorts between them.
LOWEST = "0"
HIGH = "~"

STATS_SK = "stats"
LATEST_PREFIX = "latest#"


def ts(epoch_ms: int) -> str:
    return f"{epoch_ms:013d}"


def timed(epoch_ms: int, item_id: str) -> str:
    return f"{ts(epoch_ms)}{SEP}{item_id}"


def new_id() -> str:
    return uuid.uuid4().hex


def reading_id(source: str, source_reading_id: str) -> str:
    """Deterministic id of a reading: the same (source, sourceReadingId) is the same reading."""
    digest = hashlib.sha256(f"{source}\x00{source_reading_id}".encode()).hexdigest()
    return digest[:32]


def latest_sk(name: str) -> str:
    return f"{LATEST_PREFIX}{name}"


def prefixed(prefix: str, sk: str) -> str:
    """Secondary-index sort key: ``<prefix>#<timestamp>#<id>`` (type, status, name, ...)."""
    return f"{prefix}{SEP}{sk}"
