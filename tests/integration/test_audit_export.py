"""GET /admin/audit-events/export: every record in a time range, oldest first, in stable pages
with a signed cursor; per UTC day a page walks, one Query per ByDayShard shard, at most
MAX_EXPORT_QUERIES per page; the export itself is recorded."""

import pytest

from clinic import aws
from clinic.repositories import audit_table, dynamo
from clinic.services.audit import MAX_EXPORT_QUERIES
from tests.support.api import ADMIN_SUB, OTHER_SUB, call
from tests.support.events import EVENT_SUB

EXPORT = "ExportAuditEventsFunction"
DAY_MS = 86_400_000
START = 1_767_225_600_000  # 2026-01-01T00:00:00Z (in the past: the exports' own records are today)


def store(at, patient, action="read", actor=ADMIN_SUB):
    item = audit_table.new_item(actor_id=actor, patient_id=patient, action=action, resource="appointments", at=at,
                          request_id=None)
    audit_table.put(item)
    return item["eventId"]


def export_all(invoke, ddb_calls, *, from_, to, limit):
    pages, cursor = [], None
    while True:
        ddb_calls.reset()
        query = {"from": from_, "to": to, "limit": limit, **({"cursor": cursor} if cursor else {})}
        reply = call(invoke, EXPORT, admin=True, sub=ADMIN_SUB, query=query)
        assert reply.status == 200, reply.body
        queries = ddb_calls.operations["Query"]
        assert queries <= MAX_EXPORT_QUERIES and ddb_calls.operations["PutItem"] == 1
        # the account check: the caller's Users item, and (this caller has none) the deletion mark
        assert ddb_calls.operations["GetItem"] == 2
        assert set(ddb_calls.operations) <= {"Query", "PutItem", "GetItem"}
        assert ddb_calls.items_read <= queries * (limit + 1)
        pages.append(reply.body)
        cursor = reply.body["nextCursor"]
        if reply.body["complete"]:
            return pages


def test_the_export_is_every_record_in_the_range_oldest_first_in_full_pages(invoke, tables, ddb_calls):
    inside = [store(START + i * 3_600_000, EVENT_SUB if i % 2 else OTHER_SUB) for i in range(30)]  # 30 h: 2 days
    same_time = [store(START + 5 * DAY_MS, EVENT_SUB) for _ in range(3)]  # three records in one millisecond
    store(START - 1, EVENT_SUB)  # just before the range
    store(START + 7 * DAY_MS, EVENT_SUB)  # just after it
    pages = export_all(invoke, ddb_calls, from_=START, to=START + 6 * DAY_MS - 1, limit=7)
    got = [e["eventId"] for p in pages for e in p["items"]]
    assert got == inside + sorted(same_time)
    assert [len(p["items"]) for p in pages] == [7, 7, 7, 7, 5]
    at = [e["at"] for p in pages for e in p["items"]]
    assert at == sorted(at)
    # Each page of the export left its own record, with no values in it.
    exports = audit_table.page(patient_id=None, actor_id=ADMIN_SUB, limit=100, after=None).items
    assert [(e["action"], e["resource"]) for e in exports if e["action"] == "export"] == [
        ("export", "audit-events")] * len(pages)


def test_empty_days_cost_one_query_per_shard_and_a_page_stops_at_its_query_budget(invoke, tables, ddb_calls):
    # 31 empty days are 31 x 4 shard Queries: pages of 8 days (32 Queries), the last of 7 days
    pages = export_all(invoke, ddb_calls, from_=START, to=START + 31 * DAY_MS - 1, limit=20)
    assert [p["items"] for p in pages] == [[]] * 4 and pages[-1]["nextCursor"] is None
    assert ddb_calls.operations["Query"] == 7 * audit_table.SHARDS


def test_the_range_is_capped_at_31_days(invoke, tables):
    too_long = call(invoke, EXPORT, admin=True, query={"from": START, "to": START + 31 * DAY_MS})
    assert too_long.status == 400 and too_long.body["error"]["details"][0]["issue"] == "window_too_long"


@pytest.mark.parametrize("query", [{"from": START}, {"from": START + 1, "to": START}, {"from": -1, "to": START},
                                   {"from": START, "to": START + 1, "limit": 101},
                                   {"from": START, "to": START + 1, "cursor": "forged"}])
def test_bad_ranges_and_cursors_are_a_400_and_write_nothing(invoke, tables, ddb_calls, query):
    reply = call(invoke, EXPORT, admin=True, query=query)
    assert reply.status == 400 and reply.body["error"]["code"] == "validation_error"
    assert "PutItem" not in ddb_calls.operations


def test_a_cursor_is_bound_to_its_range_and_its_admin(invoke, tables):
    for i in range(3):
        store(START + i, EVENT_SUB)
    first = call(invoke, EXPORT, admin=True, query={"from": START, "to": START + DAY_MS, "limit": 1}).body
    other_range = call(invoke, EXPORT, admin=True,
                       query={"from": START, "to": START + 2 * DAY_MS, "cursor": first["nextCursor"]})
    other_admin = call(invoke, EXPORT, admin=True, sub=OTHER_SUB,
                       query={"from": START, "to": START + DAY_MS, "cursor": first["nextCursor"]})
    assert other_range.status == other_admin.status == 400


def test_a_patient_is_refused_before_anything_is_read(invoke, tables, ddb_calls):
    reply = call(invoke, EXPORT, query={"from": START, "to": START + 1})
    assert reply.status == 403 and not ddb_calls.operations


def test_the_last_representable_instant_is_a_valid_end(invoke, tables):
    last = 9_999_999_999_999
    reply = call(invoke, EXPORT, admin=True, query={"from": last - DAY_MS, "to": last})
    assert reply.status == 200 and reply.body["complete"] is True


def test_a_days_records_are_spread_over_the_shards_and_none_reaches_the_old_day_index(tables):
    events = {store(START + i, EVENT_SUB) for i in range(40)}
    items = [dynamo.from_item(i) for i in aws.dynamodb().scan(TableName=audit_table._table())["Items"]]
    assert {i["eventId"] for i in items} == events
    assert {i["auditShard"] for i in items} == {f"2026-01-01#{s:02d}" for s in range(audit_table.SHARDS)}
    assert not any("auditDay" in i for i in items)  # ByDay (superseded) takes no new writes


def test_records_from_before_the_shards_are_backfilled_once_and_then_exported(invoke, tables, ddb_calls):
    # Given records written with the old layout (a day attribute, no shard)
    old = []
    for i in range(7):
        item = audit_table.new_item(actor_id=ADMIN_SUB, patient_id=EVENT_SUB, action="read", resource="appointments",
                              at=START + i * 60_000, request_id=None)
        del item["auditShard"]
        item["auditDay"] = "2026-01-01"
        aws.dynamodb().put_item(TableName=audit_table._table(), Item=dynamo.to_item(item))
        old.append(item["eventId"])
    new = store(START + DAY_MS, OTHER_SUB)
    before = export_all(invoke, ddb_calls, from_=START, to=START + 2 * DAY_MS - 1, limit=50)
    assert [e["eventId"] for p in before for e in p["items"]] == [new]  # the old ones are not in ByDayShard yet
    # When the backfill runs in pages of 3 until done, twice
    runs = []
    for _ in range(2):
        updated, position = audit_table.backfill_shards(limit=3, after=None)
        while position:
            more, position = audit_table.backfill_shards(limit=3, after=position)
            updated += more
        runs.append(updated)
    # Then each old record got its shard once, and the export has every record in order
    assert runs == [7, 0]
    pages = export_all(invoke, ddb_calls, from_=START, to=START + 2 * DAY_MS - 1, limit=50)
    assert [e["eventId"] for p in pages for e in p["items"]] == [*old, new]


def test_the_backfill_command_reports_what_it_did(tables, capsys):
    from clinic_local import cli

    item = audit_table.new_item(actor_id=ADMIN_SUB, patient_id=EVENT_SUB, action="read", resource="stats", at=START,
                          request_id=None)
    del item["auditShard"]
    aws.dynamodb().put_item(TableName=audit_table._table(), Item=dynamo.to_item(item))
    assert cli.main(["audit-backfill", "--table", audit_table._table(), "--page", "10"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == '{"updated": 1, "done": true}'
    stored = dynamo.from_item(aws.dynamodb().scan(TableName=audit_table._table())["Items"][0])
    assert stored["auditShard"] == audit_table.shard_key("2026-01-01", item["eventId"])
