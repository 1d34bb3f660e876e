"""With 10,000 readings, 1,000 appointments, 200 medications and 200 refill requests stored for
one patient (and 150 patients' pending refill requests in the staff queue), every
list route reads what one page needs (one Query of limit + 1 items, or the fixed budget for
combined filters), on the first page and on a later one: cost follows the page, never history."""

import json
import math

import pytest
from moto import mock_aws

from clinic import aws
from clinic.repositories import audit_table, medications_table, refill_requests_table, users_table
from clinic.repositories.paging import FILTERED_READ_BUDGET
from clinic.services import readings
from clinic_tools import handlers, openapi, template
from tests.support import env
from tests.support.api import ADMIN_SUB, call
from tests.support.data import DAY_MS, NOW_MS, appointment, new_reading, store_appointments
from tests.support.dynamo import CallCounter
from tests.support.events import EVENT_SUB

READINGS, APPOINTMENTS, MEDICATIONS, PATIENTS = 10_000, 1_000, 200, 150
LIMIT = 20
NAMES = ("Glucose", "LDL Cholesterol", "HDL Cholesterol", "Sodium", "TSH")
UNITS = {"Glucose": "mg/dL", "LDL Cholesterol": "mg/dL", "HDL Cholesterol": "mg/dL", "Sodium": "mmol/L", "TSH": "mIU/L"}


@pytest.fixture
def history():
    """moto with the big history (built once, for one test that checks every route: it is the
    slow part; and a moto mock must not outlive its test, other tests of the worker call real
    endpoints)."""
    with mock_aws():
        aws.reset()
        client = aws.dynamodb()
        for args in template.table_definitions(env.TABLE_PREFIX).values():
            client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
        batch = [new_reading(NAMES[i % 5], 50.0 + i % 90, NOW_MS - i * 60_000, unit=UNITS[NAMES[i % 5]], rid=f"r{i}")
                 for i in range(READINGS)]
        for start in range(0, READINGS, 2000):
            readings.record(EVENT_SUB, batch[start : start + 2000])
        store_appointments(EVENT_SUB, [appointment(i, type_=("lab", "checkup", "imaging")[i % 3],
                                                   start=NOW_MS - i * 3_600_000) for i in range(APPOINTMENTS)])
        medications_table.put_many(EVENT_SUB, [{"medicationId": f"m{i}", "name": "Drug", "dose": "1 mg", "refills": 1,
                                          "active": i % 2 == 0, "startedAt": NOW_MS - i * 60_000, "version": 1}
                                         for i in range(MEDICATIONS)])
        users_table.put({"userId": EVENT_SUB, "email": "patient@example.com", "role": "patient", "createdAt": NOW_MS})
        for i in range(PATIENTS):
            users_table.put({"userId": f"p{i}", "email": f"p{i}@example.com", "role": "patient",
                             "createdAt": NOW_MS - i})
            refill_requests_table.put_many(f"p{i}", [refill_request(i, "pending")])
        refill_requests_table.put_many(EVENT_SUB, [refill_request(i, ("pending", "approved", "denied")[i % 3])
                                                   for i in range(MEDICATIONS)])
        for _ in range(60):  # an audit trail longer than a page
            call(_invoke, "GetPatientFunction", admin=True, sub=ADMIN_SUB, path={"userId": EVENT_SUB})
        counter = CallCounter(client)
        yield counter.calls
        counter.detach()
        aws.reset()


def refill_request(i, status):
    return {"requestId": f"rr{i}", "medicationId": f"m{i}", "medicationName": "Drug", "status": status,
            "requestedAt": NOW_MS - i * 60_000, "version": 1}


def _invoke(logical_id, event):
    from clinic_local.gateway import LambdaContext

    return handlers.load_handler(logical_id)(event, LambdaContext(logical_id))


P = {"userId": EVENT_SUB}
ROUTES = [
    # (function, admin, path, query, Query requests, most items one Query may read, other requests)
    ("ListBiomarkersFunction", False, None, {}, LIMIT + 1, {}),
    ("ListBiomarkersFunction", False, None, {"name": "Glucose"}, LIMIT + 1, {}),
    ("ListBiomarkersFunction", False, None, {"category": "lipids"}, LIMIT + 1, {}),
    ("ListBiomarkersFunction", False, None, {"status": "out-of-range"}, LIMIT + 1, {}),
    (
        "ListBiomarkersFunction",
        False,
        None,
        {"from": NOW_MS - 5000 * 60_000, "to": NOW_MS - 4000 * 60_000},
        LIMIT + 1,
        {},
    ),
    ("ListBiomarkersFunction", False, None, {"category": "lipids", "status": "out-of-range"}, FILTERED_READ_BUDGET, {}),
    ("ListLatestBiomarkersFunction", False, None, {"limit": 2}, 3, {}),
    ("GetBiomarkerHistoryFunction", False, {"name": "LDL Cholesterol"}, {}, LIMIT + 1, {}),
    ("ListAppointmentsFunction", False, None, {"type": "lab"}, LIMIT + 1, {}),
    ("ListAppointmentsFunction", False, None, {"when": "past"}, LIMIT + 1, {}),
    ("ListMedicationsFunction", False, None, {}, LIMIT + 1, {}),
    ("ListMedicationsFunction", False, None, {"active": "true"}, LIMIT + 1, {}),
    ("ListRefillRequestsFunction", False, None, {}, LIMIT + 1, {}),
    ("ListRefillRequestsFunction", False, None, {"status": "denied"}, LIMIT + 1, {}),
    ("ListPatientsFunction", True, None, {}, LIMIT + 1, {"BatchWriteItem": 1}),
    # The staff queue: one Query per ByQueueShard shard, each of at most a page, merged; the
    # patients on the page recorded as read.
    ("ListRefillQueueFunction", True, None, {}, refill_requests_table.SHARDS * (LIMIT + 1),
     {"Query": refill_requests_table.SHARDS, "BatchWriteItem": 1}),
    ("ListPatientBiomarkersFunction", True, P, {"status": "in-range"}, LIMIT + 1, {"GetItem": 1, "PutItem": 1}),
    ("ListPatientAppointmentsFunction", True, P, {"status": "scheduled"}, LIMIT + 1, {"GetItem": 1, "PutItem": 1}),
    ("ListPatientMedicationsFunction", True, P, {"active": "false"}, LIMIT + 1, {"GetItem": 1, "PutItem": 1}),
    ("ListAuditEventsFunction", True, None, {"patientId": EVENT_SUB}, LIMIT + 1, {}),
    ("ListAccessLogFunction", False, None, {}, LIMIT + 1, {}),
    # The export: the profile's GetItem on the first page only, then the readings (the first
    # collection, 10,000 of them); each page audited.
    ("ExportMeFunction", False, None, {}, LIMIT + 1,
     lambda page: {"GetItem": 1, "PutItem": 1} if page == 0 else {"PutItem": 1}),
    # The staff export: the same, plus the patient's existence check (GetItem) on every page.
    ("ExportPatientFunction", True, P, {}, LIMIT + 1,
     lambda page: {"GetItem": 2, "PutItem": 1} if page == 0 else {"GetItem": 1, "PutItem": 1}),
    # The audit log of the day the fixture wrote 60 staff reads in (query filled in at run time):
    # one Query per ByDayShard shard of the day, each of at most a page.
    ("ExportAuditEventsFunction", True, None, "audit-day", audit_table.SHARDS * (LIMIT + 1),
     {"Query": audit_table.SHARDS, "PutItem": 1}),
]


ACCOUNT_CHECK_GETS = {"ExportMeFunction": 1}


def audit_day_query():
    """The UTC day that holds the fixture's audit records (all written within seconds)."""
    records = audit_table.page(patient_id=EVENT_SUB, actor_id=None, limit=100, after=None).items
    start = min(r["at"] for r in records) // DAY_MS * DAY_MS
    assert max(r["at"] for r in records) < start + DAY_MS, "the fixture straddled midnight UTC; run again"
    return {"from": start, "to": start + DAY_MS - 1}


def read_units_bound(items: int) -> float:
    # Eventually consistent Query: 0.5 RCU per 4 KB; our items are well under 1 KB each.
    return 0.5 * math.ceil(items * 1024 / 4096)


@pytest.mark.serial
def test_every_list_page_reads_what_one_page_needs_whatever_the_history(history):
    problems = []
    for function, admin, path, query, most_items, expected in ROUTES:
        query = audit_day_query() if query == "audit-day" else query
        cursor = None
        for page in range(2):  # the first page and the one after it
            others = expected(page) if callable(expected) else expected
            history.reset()
            reply = call(
                _invoke,
                function,
                admin=admin,
                sub=ADMIN_SUB if admin else EVENT_SUB,
                path=path,
                query={"limit": LIMIT, **query, **({"cursor": cursor} if cursor else {})},
            )
            where = f"{function} {query} page {page}"
            extra_get = others.get("GetItem", 0)
            # The account check (strongly consistent, 1 RCU each): on staff routes the caller's Users
            # item and, since this staff member has none, the deletion mark; on the export, the item.
            check = ACCOUNT_CHECK_GETS.get(function, 2 if admin else 0)
            others = {**others, "GetItem": others.get("GetItem", 0) + check} if check else others
            exports = ("ExportMeFunction", "ExportPatientFunction")
            items = reply.body["biomarkers"] if function in exports else reply.body.get("items")
            if reply.status != 200 or not items or not reply.body["nextCursor"]:
                problems.append(f"{where}: {reply.status}, expected a full page and a next one")
                break
            if dict(history.operations) != {"Query": 1, **others}:
                problems.append(f"{where}: requests {dict(history.operations)}")
            if history.items_read > most_items + extra_get + check:
                problems.append(f"{where}: read {history.items_read} items")
            if history.read_units > read_units_bound(most_items) + 0.5 * extra_get + 1.0 * check:
                problems.append(f"{where}: {history.read_units} read units")
            cursor = reply.body["nextCursor"]
    assert problems == []


def test_every_paginated_route_is_checked_here():
    document = json.loads(openapi.render())
    paginated = {
        operation["operationId"] + "Function"
        for ops in document["paths"].values()
        for operation in ops.values()
        if any(p["name"] == "cursor" for p in operation.get("parameters", []))
    }
    assert paginated == {r[0] for r in ROUTES}
