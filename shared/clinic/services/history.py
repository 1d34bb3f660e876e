"""GET /biomarkers/{name}/history: raw readings (paginated) or daily rollups (one page).

The raw resolution here is a stand-in until the API branch's ``biomarkers.history`` merges; the
daily resolution is ``clinic.services.rollups.daily_history``.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from clinic.errors import InvalidInput
from clinic.models.biomarkers import BiomarkerName, Reading, ReadingPage
from clinic.repositories import biomarker_history
from clinic.services import cursors
from clinic.services.rollups import canonical_name

_items = TypeAdapter(list[Reading])
_name = TypeAdapter(BiomarkerName)


def parse_name(decoded: str) -> str:
    """A biomarker name from a decoded path segment, or a 400 naming the parameter (not the value)."""
    try:
        return _name.validate_python(decoded)
    except ValidationError:
        raise InvalidInput("the request is invalid",
                           [{"in": "path", "field": "name", "issue": "string_pattern_mismatch"}]) from None


def raw(user_id: str, name: str, *, from_: int | None, to: int | None, limit: int,
        cursor: str | None) -> ReadingPage:
    """One biomarker's readings with from <= recordedAt <= to, oldest first."""
    upper = to + 1 if to is not None else None
    if from_ is not None and upper is not None and from_ >= upper:
        raise InvalidInput("the request is invalid", [{"in": "query", "field": "from", "issue": "after_to",
                                                      "message": "from must not be after to"}])
    canonical = canonical_name(name)
    scope = f"biomarkers.history|{canonical}|{from_}|{to}"
    after = cursors.decode(cursor, user_id, scope).get("key") if cursor else None
    items, last = biomarker_history.page(user_id, canonical, lower=from_, upper=upper, limit=limit, after=after)
    next_cursor = cursors.encode(user_id, scope, {"key": last}) if last else None
    return ReadingPage(items=_items.validate_python(items), next_cursor=next_cursor)
