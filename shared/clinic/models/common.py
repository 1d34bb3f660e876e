from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints

# Epoch milliseconds from 1900-01-01T00:00Z to 2286-11-20 (the last 13-digit value): the range in
# which timestamp-first sort keys keep time order (clinic.repositories.keys.ts).
MIN_EPOCH_MS = -2_208_988_800_000
MAX_EPOCH_MS = 9_999_999_999_999
DAY_MS = 86_400_000

PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_MAX = 100

# Ids the API hands out: uuid hex (32) or derived ids (24..32 hex); Cognito subs are uuids.
ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"
ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]


def integral(value: object) -> object:
    """JSON Schema's integer includes 5330.0 (a number with a zero fraction): take it as 5330.
    Strings and booleans stay refused (request bodies are strict)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Constraints before the validator, so that the OpenAPI says minimum/maximum (not pydantic's ge/le).
EpochMs = Annotated[int, Field(ge=0, le=MAX_EPOCH_MS), BeforeValidator(integral)]
# Free text a person types (titles, names, doses): no control characters, bounded.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=TEXT_PATTERN)]


class BiomarkerStatus(StrEnum):
    OPTIMAL = "optimal"
    IN_RANGE = "in-range"
    OUT_OF_RANGE = "out-of-range"
