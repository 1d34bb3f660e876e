"""GET /appointments through its Lambda handler: full pages, stable cursors, bounded reads."""

import pytest

from tests.support.data import DAY_MS, NOW_MS, appointment, store_appointments
from tests.support.events import EVENT_SUB, api_event, response_json

FUNCTION = "ListAppointmentsFunction"
EVENT = "appointments/list.json"


def get(invoke, **query):
    result = invoke(FUNCTION, api_event(EVENT, query={k: str(v) for k, v in query.items()}))
    return result["statusCode"], response_json(result)


def all_pages(invoke, **query):
    pages, cursor = [], None
    while True:
        status, body = get(invoke, **query, **({"cursor": cursor} if cursor else {}))
        assert status == 200, body
        pages.append(body["items"])
        cursor = body["nextCursor"]
        if cursor is None:
            return pages


def test_type_filter_returns_full_page_when_older_matches_exist(invoke, tables):
    # Given 30 checkups, then 5 lab appointments that are OLDER than all of them
    labs = [appointment(i, type_="lab", start=NOW_MS - (100 + i) * DAY_MS) for i in range(5)]
    checkups = [appointment(100 + i, type_="checkup", start=NOW_MS - (30 - i) * DAY_MS) for i in range(30)]
    store_appointments(EVENT_SUB, labs + checkups)
    # When the patient asks for 5 lab appointments (the seed took 5 rows, then filtered: 0 labs)
    status, body = get(invoke, type="lab", limit=5)
    # Then all 5 come back, in startTime order, and there is no further page
    assert status == 200
    assert [a["type"] for a in body["items"]] == ["lab"] * 5
    starts = [a["startTime"] for a in body["items"]]
    assert starts == sorted(starts)
    assert body["nextCursor"] is None


def test_every_page_is_exactly_the_limit_until_the_last(invoke, tables):
    store_appointments(EVENT_SUB, [appointment(i, type_="lab" if i % 3 == 0 else "checkup",
                                               start=NOW_MS - i * DAY_MS) for i in range(50)])
    pages = all_pages(invoke, type="lab", limit=4)  # 17 labs
    assert [len(p) for p in pages] == [4, 4, 4, 4, 1]
    ids = [a["appointmentId"] for p in pages for a in p]
    assert len(ids) == len(set(ids)) == 17


def test_upcoming_are_soonest_first_and_past_most_recent_first(invoke, tables):
    # Given 4 past and 6 upcoming appointments (a day apart, around now)
    store_appointments(EVENT_SUB, [appointment(i, start=NOW_MS + (i - 4) * DAY_MS + 3_600_000) for i in range(10)])
    _, upcoming = get(invoke, when="upcoming", limit=100)
    _, past = get(invoke, when="past", limit=100)
    up, back = [a["startTime"] for a in upcoming["items"]], [a["startTime"] for a in past["items"]]
    assert len(up) == 6 and up == sorted(up)
    assert len(back) == 4 and back == sorted(back, reverse=True)
    assert max(back) < min(up)


def test_status_and_type_filters_combine_through_their_own_index(invoke, tables, ddb_calls):
    store_appointments(EVENT_SUB, [
        appointment(i, type_=("lab", "checkup")[i % 2], status=("completed", "cancelled", "no-show")[i % 3],
                    start=NOW_MS - (i + 1) * DAY_MS) for i in range(60)
    ])
    ddb_calls.reset()
    _, body = get(invoke, type="lab", status="cancelled", limit=100)
    assert len(body["items"]) == 10
    assert {(a["type"], a["status"]) for a in body["items"]} == {("lab", "cancelled")}
    assert dict(ddb_calls.operations) == {"Query": 1}


@pytest.mark.parametrize("stored", [40, 1000])
def test_reads_are_bounded_by_the_page_not_by_how_many_exist(invoke, tables, ddb_calls, stored):
    store_appointments(EVENT_SUB, [appointment(i, type_=("lab", "checkup", "imaging")[i % 3],
                                               start=NOW_MS - i * 3_600_000) for i in range(stored)])
    ddb_calls.reset()
    status, body = get(invoke, type="imaging", limit=10)
    assert status == 200 and len(body["items"]) == 10
    # One Query, reading the page plus one item to know whether another page exists
    assert dict(ddb_calls.operations) == {"Query": 1}
    assert ddb_calls.items_read == 11


def test_a_cursor_continues_the_same_list_and_only_that_list(invoke, tables):
    store_appointments(EVENT_SUB, [appointment(i, type_="lab", start=NOW_MS - i * DAY_MS) for i in range(6)])
    _, first = get(invoke, type="lab", limit=3)
    # Another query (different filter) with this cursor is a 400, not a wrong page
    status, body = get(invoke, type="checkup", limit=3, cursor=first["nextCursor"])
    assert status == 400 and body["error"]["code"] == "validation_error"


def test_another_users_cursor_is_rejected(invoke, tables):
    store_appointments("other-user", [appointment(i, start=NOW_MS - i * DAY_MS) for i in range(6)])
    other = invoke(FUNCTION, api_event(EVENT, sub="other-user", query={"limit": "2"}))
    cursor = response_json(other)["nextCursor"]
    status, body = get(invoke, limit=2, cursor=cursor)
    assert status == 400 and body["error"]["code"] == "validation_error"


def test_only_the_callers_appointments_are_listed(invoke, tables):
    store_appointments("other-user", [appointment(i) for i in range(3)])
    store_appointments(EVENT_SUB, [appointment(10)])
    _, body = get(invoke, limit=100)
    assert [a["appointmentId"] for a in body["items"]] == [appointment(10)["appointmentId"]]


@pytest.mark.parametrize("query", [
    {"limit": "0"}, {"limit": "-1"}, {"limit": "101"}, {"limit": "abc"}, {"limit": "1.5"},
    {"type": "surgery"}, {"when": "tomorrow"}, {"status": "lost"},
    {"cursor": "x"}, {"cursor": "1.e30.zz"}, {"cursor": "a" * 3000},
])
def test_bad_query_is_a_400_in_the_error_shape(invoke, tables, query):
    result = invoke(FUNCTION, api_event(EVENT, query=query))
    body = response_json(result)
    assert result["statusCode"] == 400
    assert body["error"]["code"] == "validation_error"
    assert isinstance(body["error"]["message"], str) and isinstance(body["error"]["details"], list)


def test_validation_errors_name_the_field_but_never_echo_the_value(invoke, tables):
    result = invoke(FUNCTION, api_event(EVENT, query={"type": "SENTINEL-PHI-VALUE"}))
    assert "SENTINEL-PHI-VALUE" not in result["body"]
    assert response_json(result)["error"]["details"][0]["field"] == "type"
