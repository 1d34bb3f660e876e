from __future__ import annotations

from enum import StrEnum

# Epoch milliseconds from 1900-01-01T00:00Z to 2286-11-20 (the last 13-digit value): the range in
# which timestamp-first sort keys keep time order (clinic.repositories.keys.ts).
MIN_EPOCH_MS = -2_208_988_800_000
MAX_EPOCH_MS = 9_999_999_999_999
DAY_MS = 86_400_000

PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_MAX = 100


class BiomarkerStatus(StrEnum):
    OPTIMAL = "optimal"
    IN_RANGE = "in-range"
    OUT_OF_RANGE = "out-of-range"
