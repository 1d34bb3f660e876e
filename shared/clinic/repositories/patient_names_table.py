"""PatientNames table: the look-up items of staff's search by the start of a name (docs/decisions.md
63). One item per indexed word of a patient's current name (``clinic.names``): partition key
``prefix``, the word's first two folded letters; sort key ``entry``, ``"<word>#<userId>"``. A search
is one Query of ``begins_with(entry, <the longest word searched>)`` in one partition, in the order
of the words. An item also holds the patient's ``userId``, the whole folded name (``words``, with a
leading space: the search's other words are matched against it) and, when an earlier word of the
same name shares its first letters, ``shadow``, how many (a search for no more letters than that
finds the person through the earlier word, so this item is left out and the person is listed once).

Only patients have items. They are written in the transaction that changes what they reflect
(``sync_actions``), from the Users item's ``nameIndex``, the folded name they were written for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clinic import aws, names
from clinic.repositories import dynamo, paging
from clinic.settings import PatientNamesTable, get_settings

Item = dict[str, Any]
SEP = "#"
# The backfill's record of having given every patient their items. No word starts with "#".
BACKFILL_KEY = {"prefix": "#backfill", "entry": "name-index#1"}


def _table() -> str:
    return get_settings(PatientNamesTable).patient_names_table


def items_for(user_id: str, name_index: str | None) -> list[Item]:
    """The look-up items of ``user_id`` whose folded name is ``name_index`` (none for None)."""
    indexed = names.indexed_words(name_index or "")
    out = []
    for word in indexed:
        item: Item = {"prefix": word[: names.PREFIX_LETTERS], "entry": f"{word}{SEP}{user_id}", "userId": user_id,
                      "words": " " + (name_index or "")}
        shadow = names.shared_start(word, [w for w in indexed if w < word])
        if shadow >= names.PREFIX_LETTERS:
            item["shadow"] = shadow
        out.append(item)
    return out


def sync_actions(user_id: str, before: str | None, after: str | None) -> list[dict[str, Any]]:
    """The writes that take ``user_id``'s items from those of ``before`` to those of ``after``
    (folded names; None: no items), for the transaction that changes the Users item's
    ``nameIndex`` from one to the other. Nothing when they are equal (and no table name read)."""
    if before == after:
        return []
    table = _table()
    wanted = items_for(user_id, after)
    keep = {item["entry"] for item in wanted}
    deletes = [{"Delete": {"TableName": table, "Key": dynamo.to_item({k: item[k] for k in ("prefix", "entry")})}}
               for item in items_for(user_id, before) if item["entry"] not in keep]
    return deletes + [dynamo.put_action(table, item) for item in wanted]


def search(terms: Sequence[str], *, limit: int, after: Mapping[str, Any] | None) -> paging.Page:
    """One page of the patients whose name has a word starting with each of ``terms`` (folded, the
    first of the longest at least two letters), in the order of the word the longest term starts.

    One Query in the longest term's partition. Its key condition finds that term; the filter leaves
    out a person's later items of the same search (``shadow``) and, with more than one term, people
    whose name lacks a word for the others. A single term reads ``limit + 1`` items, more terms the
    paging module's read budget; a page the filter shortened continues where the read ended."""
    key = max(terms, key=len)
    others = list(terms)
    others.remove(key)
    names_ = {"#p": "prefix", "#e": "entry", "#u": "userId", "#s": "shadow"}
    values: dict[str, Any] = {":p": {"S": key[: names.PREFIX_LETTERS]}, ":t": {"S": key},
                              ":n": {"N": str(len(key))}}
    clauses = ["(attribute_not_exists(#s) OR #s < :n)"]
    if others:
        names_["#w"] = "words"
        for number, term in enumerate(others):
            values[f":o{number}"] = {"S": " " + term}
            clauses.append(f"contains(#w, :o{number})")
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "#p = :p AND begins_with(#e, :t)",
        "FilterExpression": " AND ".join(clauses),
        "ProjectionExpression": "#e, #u",
        "ExpressionAttributeNames": names_,
        "ExpressionAttributeValues": values,
        "Limit": max(limit + 1, paging.FILTERED_READ_BUDGET) if others else limit + 1,
    }
    if after:
        request["ExclusiveStartKey"] = dynamo.to_item({"prefix": key[: names.PREFIX_LETTERS], "entry": after["entry"]})
    items, last = dynamo.query_page(request)
    if len(items) > limit:
        items = items[:limit]
        return paging.Page(items, {"entry": items[-1]["entry"]})
    return paging.Page(items, {"entry": last["entry"]} if last else None)


def backfill_done() -> bool:
    response = aws.dynamodb().get_item(TableName=_table(), Key=dynamo.to_item(BACKFILL_KEY), ConsistentRead=True)
    return "Item" in response


def mark_backfill_done(at_ms: int) -> None:
    dynamo.write([dynamo.put_action(_table(), {**BACKFILL_KEY, "doneAt": at_ms})])
