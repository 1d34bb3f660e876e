"""GET /biomarkers, /biomarkers/latest and /biomarkers/{name}/history through their handlers."""

import pytest

from clinic.services import readings
from tests.support.api import OTHER_SUB, call
from tests.support.data import DAY_MS, NOW_MS, new_reading
from tests.support.events import EVENT_SUB

LIST, LATEST, HISTORY = "ListBiomarkersFunction", "ListLatestBiomarkersFunction", "GetBiomarkerHistoryFunction"


def record(user_id, batch):
    results = readings.record(user_id, batch)
    assert {r.outcome for r in results} <= {readings.Outcome.ACCEPTED}


def pages(invoke, function, **kwargs):
    query = dict(kwargs.pop("query", {}))
    out, cursor = [], None
    while True:
        reply = call(invoke, function, query=query | ({"cursor": cursor} if cursor else {}), **kwargs)
        assert reply.status == 200, reply.body
        out.append(reply.body["items"])
        cursor = reply.body["nextCursor"]
        if cursor is None:
            return out


@pytest.fixture
def panel(tables):
    """Three lab draws of glucose, LDL and vitamin D, a day apart, plus another patient's glucose."""
    batch = []
    for day in range(3):
        at = NOW_MS - (3 - day) * DAY_MS
        batch += [new_reading("Glucose", (85, 95, 165)[day], at), new_reading("LDL Cholesterol", 60 + day, at),
                  new_reading("Vitamin D, 25-Hydroxy", 45, at, unit="ng/mL", rid=f"vitd{day}")]
    record(EVENT_SUB, batch)
    record(OTHER_SUB, [new_reading("Glucose", 300, NOW_MS)])
    return batch


def test_readings_are_newest_first_and_only_the_callers(invoke, panel):
    items = pages(invoke, LIST, query={"limit": 4})
    flat = [r for page in items for r in page]
    assert [len(p) for p in items] == [4, 4, 1]
    assert len(flat) == 9 and all(r["value"] != 300 for r in flat)
    times = [r["recordedAt"] for r in flat]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize(("query", "expected"), [
    ({"name": "Glucose"}, 3),
    ({"name": "glucose"}, 3),  # catalog names are matched whatever their case
    ({"category": "lipids"}, 3),
    ({"status": "out-of-range"}, 1),  # the 165 mg/dL glucose
    ({"category": "metabolic", "status": "optimal"}, 1),
    ({"name": "Glucose", "status": "in-range"}, 1),
    ({"name": "Glucose", "category": "lipids"}, 0),
])
def test_filters_select_exactly_the_matching_readings(invoke, panel, query, expected):
    items = [r for page in pages(invoke, LIST, query=query | {"limit": 100}) for r in page]
    assert len(items) == expected
    for reading in items:
        for field in ("category", "status"):
            if field in query:
                assert reading[field] == query[field]
        if "name" in query:
            assert reading["name"] == "Glucose"


def test_time_window_is_inclusive_on_both_ends(invoke, panel):
    middle = NOW_MS - 2 * DAY_MS
    items = call(invoke, LIST, query={"from": middle, "to": middle, "limit": 100}).body["items"]
    assert {r["recordedAt"] for r in items} == {middle} and len(items) == 3


def test_from_after_to_is_a_400(invoke, tables):
    reply = call(invoke, LIST, query={"from": NOW_MS, "to": NOW_MS - 1})
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_single_filter_pages_are_exact_however_rare_the_matches(invoke, tables, ddb_calls):
    # Given 300 readings of which only the 5 oldest are LDL
    record(
        EVENT_SUB, [new_reading("LDL Cholesterol", 60, NOW_MS - (1000 + i) * 60_000, rid=f"ldl{i}") for i in range(5)]
    )
    record(EVENT_SUB, [new_reading("Glucose", 85, NOW_MS - i * 60_000, rid=f"g{i}") for i in range(295)])
    ddb_calls.reset()
    # When the patient asks for 5 lipids readings
    body = call(invoke, LIST, query={"category": "lipids", "limit": 5}).body
    # Then all 5 come in one Query of 6 items (the page plus the one that says there is no more)
    assert [r["name"] for r in body["items"]] == ["LDL Cholesterol"] * 5 and body["nextCursor"] is None
    assert dict(ddb_calls.operations) == {"Query": 1} and ddb_calls.items_read <= 6


def test_combined_filters_read_a_bounded_budget_and_continue_by_cursor(invoke, tables, ddb_calls):
    # Given 450 metabolic readings, of which only the 3 oldest are out of range
    record(EVENT_SUB, [new_reading("Glucose", 250, NOW_MS - (1000 + i) * 60_000, rid=f"high{i}") for i in range(3)])
    record(EVENT_SUB, [new_reading("Glucose", 85, NOW_MS - i * 60_000, rid=f"ok{i}") for i in range(447)])
    # When the patient pages through category=metabolic&status=out-of-range, 10 at a time
    found, requests = [], []
    cursor = None
    while True:
        ddb_calls.reset()
        query = {"category": "metabolic", "status": "out-of-range", "limit": 10} | (
            {"cursor": cursor} if cursor else {}
        )
        body = call(invoke, LIST, query=query).body
        requests.append((dict(ddb_calls.operations), ddb_calls.items_read))
        found += body["items"]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    # Then every request is one Query reading at most the budget, and the pages find all 3
    assert len(found) == 3 and {r["status"] for r in found} == {"out-of-range"}
    assert all(ops == {"Query": 1} for ops, _ in requests)
    assert all(read <= 200 for _, read in requests)
    assert len(requests) == 3  # 200 + 200 + 50 readings evaluated


def test_latest_lists_one_reading_per_biomarker_by_name(invoke, panel):
    items = [r for page in pages(invoke, LATEST, query={"limit": 2}) for r in page]
    assert [r["name"] for r in items] == ["Glucose", "LDL Cholesterol", "Vitamin D, 25-Hydroxy"]
    assert items[0]["value"] == 165 and items[0]["recordedAt"] == NOW_MS - DAY_MS


STATS = "GetBiomarkerStatsFunction"


@pytest.mark.parametrize(("status", "counter"), [("optimal", "optimal"), ("in-range", "inRange"),
                                                  ("out-of-range", "outOfRange")])
def test_latest_of_a_status_are_exactly_the_readings_the_stats_count(invoke, panel, status, counter):
    # Given the panel's latest readings and the stats that count them
    counts = call(invoke, STATS).body["counts"]
    # When the patient asks for the latest readings with one status
    body = call(invoke, LATEST, query={"status": status, "limit": 100}).body
    # Then the page holds exactly the readings that status's count counts, and no further page
    assert len(body["items"]) == counts[counter] and body["nextCursor"] is None
    assert all(r["status"] == status for r in body["items"])


def test_latest_of_a_category_and_of_a_category_and_status(invoke, panel):
    lipids = call(invoke, LATEST, query={"category": "lipids"}).body["items"]
    assert [(r["name"], r["value"]) for r in lipids] == [("LDL Cholesterol", 62)]
    high_metabolic = call(invoke, LATEST, query={"category": "metabolic", "status": "out-of-range"}).body["items"]
    assert [(r["name"], r["value"]) for r in high_metabolic] == [("Glucose", 165)]
    assert call(invoke, LATEST, query={"category": "lipids", "status": "out-of-range"}).body["items"] == []


def test_a_filtered_latest_page_costs_its_read_budget_whatever_the_history(invoke, tables, ddb_calls):
    # Given a long history of one biomarker and 250 other biomarkers, the 3 out of range last by name
    record(EVENT_SUB, [new_reading("Glucose", 85, NOW_MS - i * 60_000, rid=f"g{i}") for i in range(300)])
    record(EVENT_SUB, [new_reading(f"Marker {i:03}", 1, NOW_MS, unit="u", rid=f"m{i}", category="custom",
                                   status="out-of-range" if i >= 247 else "in-range") for i in range(250)])
    # When the patient pages through the latest readings out of range, 10 at a time
    found, requests, cursor = [], [], None
    while True:
        ddb_calls.reset()
        body = call(invoke, LATEST, query={"status": "out-of-range", "limit": 10} | (
            {"cursor": cursor} if cursor else {})).body
        requests.append((dict(ddb_calls.operations), ddb_calls.items_scanned))
        found += body["items"]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    # Then each request is one Query of at most the budget (latest items only, never the history)
    assert [r["name"] for r in found] == ["Marker 247", "Marker 248", "Marker 249"]
    assert requests == [({"Query": 1}, 200), ({"Query": 1}, 51)]


def test_a_latest_cursor_belongs_to_its_filters(invoke, panel):
    cursor = call(invoke, LATEST, query={"limit": 1, "status": "optimal"}).body["nextCursor"]
    assert cursor is not None
    assert call(invoke, LATEST, query={"limit": 1, "status": "in-range", "cursor": cursor}).status == 400
    assert call(invoke, LATEST, query={"limit": 1, "cursor": cursor}).status == 400


@pytest.mark.parametrize("query", [{"status": "bad"}, {"category": "Lipids!"}, {"name": "Glucose"}])
def test_bad_latest_queries_are_a_400(invoke, tables, query):
    reply = call(invoke, LATEST, query=query)
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_history_of_a_name_with_spaces_and_punctuation(invoke, panel):
    # The path carries "Vitamin%20D%2C%2025-Hydroxy", as a REST API delivers it
    reply = call(invoke, HISTORY, path={"name": "Vitamin D, 25-Hydroxy"}, query={"limit": 100})
    assert reply.status == 200
    assert [r["name"] for r in reply.body["items"]] == ["Vitamin D, 25-Hydroxy"] * 3
    times = [r["recordedAt"] for r in reply.body["items"]]
    assert times == sorted(times)  # oldest first: a chart's order


def test_history_of_a_name_with_a_slash(invoke, tables):
    record(EVENT_SUB, [new_reading("BUN/Creatinine Ratio", 12, NOW_MS, unit="ratio")])
    reply = call(invoke, HISTORY, path={"name": "BUN/Creatinine Ratio"})
    assert reply.status == 200 and len(reply.body["items"]) == 1


def test_history_in_a_time_range(invoke, panel):
    reply = call(invoke, HISTORY, path={"name": "Glucose"}, query={"from": NOW_MS - 2 * DAY_MS, "to": NOW_MS})
    assert [r["value"] for r in reply.body["items"]] == [95, 165]


@pytest.mark.parametrize("name", ["Glucose#x", "a" * 65, "\u0000", "-leading-dash"])
def test_history_of_an_impossible_name_is_a_400(invoke, tables, name):
    reply = call(invoke, HISTORY, path={"name": name})
    assert reply.status == 400 and reply.error_code == "validation_error"


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "true"},
        {"status": "bad"},
        {"category": "Lipids!"},
        {"from": "-1"},
        {"to": "yesterday"},
        {"cursor": "1.abc.def"},
        {"name": "x" * 65},
    ],
)
def test_bad_list_queries_are_a_400(invoke, tables, query):
    reply = call(invoke, LIST, query=query)
    assert reply.status == 400 and reply.error_code == "validation_error"


def test_a_cursor_belongs_to_its_filters_and_its_user(invoke, panel):
    cursor = call(invoke, LIST, query={"limit": 1, "name": "Glucose"}).body["nextCursor"]
    assert call(invoke, LIST, query={"limit": 1, "name": "LDL Cholesterol", "cursor": cursor}).status == 400
    assert call(invoke, LIST, sub=OTHER_SUB, query={"limit": 1, "name": "Glucose", "cursor": cursor}).status == 400
