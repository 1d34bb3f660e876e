from __future__ import annotations

from enum import StrEnum

# Epoch milliseconds between 1900-01-01 and 9999-12-31: a 13-digit zero-padded sort key covers it
# for every date after 1970; earlier ones are rejected by the models that accept timestamps.
MAX_EPOCH_MS = 253_402_300_799_999

PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_MAX = 100


class BiomarkerStatus(StrEnum):
    OPTIMAL = "optimal"
    IN_RANGE = "in-range"
    OUT_OF_RANGE = "out-of-range"
