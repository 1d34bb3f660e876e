"""Sort-key formats. Every user-data sort key starts with a 13-digit epoch-ms timestamp and ends
with a unique id, so two items recorded in the same millisecond never overwrite each other.

Timestamps before 1970 (negative epoch ms; readings go back to 1900) are written as ``-`` plus the
13-digit complement ``10**13 + ms``: ``-`` sorts before every digit and the complement grows with
the time, so string order is time order across the whole range, 1970 included.
"""

from __future__ import annotations

import hashlib
import uuid

SEP = "#"
# Bounds of a prefix range: every timestamp-first key sorts between them.
LOWEST = "-"
HIGH = "~"
# The range ``ts`` keeps in order: 13 digits either side of 1970 (until 2286-11-20).
TS_LIMIT = 10**13

STATS_SK = "stats"
LATEST_PREFIX = "latest#"


def ts(epoch_ms: int) -> str:
    if 0 <= epoch_ms < TS_LIMIT:
        return f"{epoch_ms:013d}"
    if -TS_LIMIT < epoch_ms < 0:
        return f"-{TS_LIMIT + epoch_ms:013d}"
    raise ValueError("timestamp outside the range sort keys keep in order")


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
