"""One Query per page, for every list the API serves: a key condition on a timestamp-first sort
key (an index per filter, so a page is exactly ``limit`` items), or, where a second filter has no
index of its own, a FilterExpression over a fixed read budget (a page may then be short, and the
position continues where the budget ended). Either way the cost of a page is bounded by the page
or the budget, never by how much history the partition holds (docs/decisions.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clinic.repositories import dynamo, keys

Item = dict[str, Any]

# Items a filtered page may read (one Query); see docs/decisions.md.
FILTERED_READ_BUDGET = 200


@dataclass(frozen=True)
class Page:
    items: list[Item]
    position: dict[str, Any] | None  # where the next page starts (key attributes, without the partition)


def key_range(prefix: str, lower: int | None, upper: int | None) -> tuple[str, str]:
    """BETWEEN bounds for sort keys ``<prefix><13-digit ms>#<id>`` with time in [lower, upper).
    An ``upper`` past the last representable instant (an inclusive bound at the maximum, plus
    one) has no key of its own: every key sorts before it, so it is the open end."""
    low = prefix + (keys.ts(lower) if lower is not None else keys.LOWEST)
    high = prefix + (keys.ts(upper) if upper is not None and upper < keys.TS_LIMIT else keys.HIGH)
    return low, high


def query(
    table: str,
    *,
    partition: tuple[str, str],
    sort_key: str,
    bounds: tuple[str, str],
    key_attributes: Sequence[str],
    index: str | None = None,
    descending: bool = False,
    limit: int,
    after: Mapping[str, Any] | None = None,
    filters: Mapping[str, Any] | None = None,
    absent: Sequence[str] = (),
    projection: Sequence[str] | None = None,
) -> Page:
    """One page of ``partition`` (attribute, value) with ``sort_key`` in ``bounds``.

    Without ``filters``: one Query of ``limit + 1`` items (the extra one tells whether a next page
    exists). With ``filters`` (attribute -> required value): one Query that reads at most
    ``max(limit + 1, FILTERED_READ_BUDGET)`` items and returns those that match. ``absent``
    (attributes an item must not have) marks rare exceptions: it filters without widening the
    read, so a page that met one is short by it and the position continues after what was read.
    """
    part_name, part_value = partition
    names = {"#p": part_name, "#s": sort_key}
    values: dict[str, Any] = {":p": dynamo.to_av(part_value), ":lo": {"S": bounds[0]}, ":hi": {"S": bounds[1]}}
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#p = :p AND #s BETWEEN :lo AND :hi",
        "ScanIndexForward": not descending,
        "Limit": limit + 1,
    }
    if index:
        request["IndexName"] = index
    clauses = []
    for number, (attribute, value) in enumerate(sorted((filters or {}).items())):
        names[f"#f{number}"] = attribute
        values[f":f{number}"] = dynamo.to_av(value)
        clauses.append(f"#f{number} = :f{number}")
    for number, attribute in enumerate(absent):
        names[f"#n{number}"] = attribute
        clauses.append(f"attribute_not_exists(#n{number})")
    if clauses:
        request["FilterExpression"] = " AND ".join(clauses)
    if filters:
        request["Limit"] = max(limit + 1, FILTERED_READ_BUDGET)
    if projection:
        wanted = sorted(set(projection) | set(key_attributes) | {part_name})
        for number, attribute in enumerate(wanted):
            names[f"#a{number}"] = attribute
        request["ProjectionExpression"] = ", ".join(f"#a{n}" for n in range(len(wanted)))
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = values
    if after:
        request["ExclusiveStartKey"] = dynamo.to_item({**after, part_name: part_value})
    items, last_evaluated = dynamo.query_page(request)

    def position_of(item: Mapping[str, Any]) -> dict[str, Any]:
        return {a: item[a] for a in key_attributes if a != part_name}

    if len(items) > limit:
        items = items[:limit]
        return Page(items, position_of(items[-1]))
    if (filters or absent) and last_evaluated:
        return Page(items, position_of(last_evaluated))
    return Page(items, None)
