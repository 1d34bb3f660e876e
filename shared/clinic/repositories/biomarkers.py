"""Reads of the Biomarkers table and the latest-reading items of BiomarkerSummary for the API.
(Writes go through ``clinic.services.readings`` only.)

Each filter has its own index, keyed (userId, "<value>#<recordedAt>#<readingId>"): ByName,
ByCategory, ByStatus. One filter is a key condition (exact pages); a second or third filter is a
FilterExpression over the most selective index, within paging's fixed read budget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic.repositories import keys, paging
from clinic.settings import Tables, get_settings

Item = dict[str, Any]

# Most selective first: the index that serves a query is the first filter given in this order.
FILTER_INDEXES = (
    ("name", "ByName", "nameSk"),
    ("category", "ByCategory", "categorySk"),
    ("status", "ByStatus", "statusSk"),
)


def page(
    user_id: str,
    *,
    filters: Mapping[str, str],
    lower: int | None,
    upper: int | None,
    descending: bool,
    limit: int,
    after: Mapping[str, Any] | None,
) -> paging.Page:
    """Readings of ``user_id`` with recordedAt in [lower, upper) matching every filter."""
    chosen = next(((f, i, s) for f, i, s in FILTER_INDEXES if f in filters), None)
    if chosen is None:
        index, sort_key, prefix = None, "sk", ""
    else:
        field, index, sort_key = chosen
        prefix = filters[field] + keys.SEP
    rest = {f: v for f, v in filters.items() if chosen is None or f != chosen[0]}
    key_attributes = ("sk",) if index is None else ("sk", sort_key)
    return paging.query(
        get_settings(Tables).biomarkers_table,
        partition=("userId", user_id),
        index=index,
        sort_key=sort_key,
        bounds=paging.key_range(prefix, lower, upper),
        key_attributes=key_attributes,
        descending=descending,
        limit=limit,
        after=after,
        filters=rest or None,
    )


def latest_page(user_id: str, *, limit: int, after: Mapping[str, Any] | None) -> paging.Page:
    """The latest reading of each biomarker (BiomarkerSummary ``latest#<name>`` items), by name."""
    bounds = (keys.LATEST_PREFIX, keys.LATEST_PREFIX + keys.HIGH)
    return paging.query(
        get_settings(Tables).summary_table,
        partition=("userId", user_id),
        sort_key="sk",
        bounds=bounds,
        key_attributes=("sk",),
        limit=limit,
        after=after,
    )
