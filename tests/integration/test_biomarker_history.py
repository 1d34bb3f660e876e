"""GET /biomarkers/{name}/history through its handler: daily points from the nightly rollups in
ONE Query (a year per page), raw readings paginated; only ever the caller's own data."""

import pytest

from clinic.services import readings
from tests.support import env
from tests.support.data import new_reading
from tests.support.events import EVENT_SUB, api_event, response_json
from tests.support.moto_speed import bulk_put
from tests.support.nightly import arriving, local_ms

FUNCTION = "GetBiomarkerHistoryFunction"
EVENT = "biomarkers/history.json"


def store_rollups(user_id, name, days, unit="mg/dL"):
    """A year (or any range) of rollups, as the nightly worker writes them."""
    bulk_put(env.table_names()["RollupsTable"], (
        {"userId": user_id, "sk": f"{name}#{day}", "name": name, "day": day, "unit": unit, "count": 4,
         "min": 80.0 + i % 7, "max": 120.0, "avg": 95.5, "last": 90.0, "lastAt": local_ms(day, 21)}
        for i, day in enumerate(days)))


def year_of_days(first="2025-11-24", count=366):
    from datetime import date, timedelta
    start = date.fromisoformat(first)
    return [(start + timedelta(days=i)).isoformat() for i in range(count)]


def get(invoke, **query):
    name = query.pop("name", "Glucose")
    return invoke(FUNCTION, api_event(EVENT, query={k: str(v) for k, v in query.items()},
                                      path_params={"name": name}))


def test_the_sample_event_asks_for_a_month_of_daily_points(invoke, tables):
    store_rollups(EVENT_SUB, "Glucose", [f"2026-03-{d:02d}" for d in range(1, 32)] + ["2026-04-01"])
    body = response_json(invoke(FUNCTION, api_event(EVENT)))
    assert body["resolution"] == "daily" and body["nextCursor"] is None
    assert [p["day"] for p in body["items"]] == [f"2026-03-{d:02d}" for d in range(1, 32)]
    assert set(body["items"][0]) == {"day", "unit", "count", "min", "max", "avg", "last", "lastAt"}


def test_a_year_of_daily_points_is_one_page_from_one_query(invoke, tables, ddb_calls):
    # Given 366 days of glucose rollups, and other biomarkers' rollups around them
    days = year_of_days()
    store_rollups(EVENT_SUB, "Glucose", days)
    store_rollups(EVENT_SUB, "Free T3", days, unit="pg/mL")
    store_rollups(EVENT_SUB, "Heart Rate", days, unit="bpm")
    ddb_calls.reset()
    # When the whole year is asked for
    result = get(invoke, resolution="daily", **{"from": local_ms(days[0], 0), "to": local_ms(days[-1], 23)})
    # Then every day comes back, oldest first, from exactly one Query that read only them
    body = response_json(result)
    assert result["statusCode"] == 200
    assert [p["day"] for p in body["items"]] == days
    assert dict(ddb_calls.operations) == {"Query": 1}
    assert ddb_calls.items_read == 366


def test_daily_history_carries_the_catalogs_reference_and_optimal_ranges_for_the_chart(invoke, tables):
    # Given a catalog biomarker (glucose: reference 70-99, optimal 75-90 mg/dL) asked for by an alias
    store_rollups(EVENT_SUB, "Glucose", ["2026-03-08"])
    # When its daily history is asked for
    body = response_json(get(invoke, name="glucose", resolution="daily", **{"from": local_ms("2026-03-08", 0)}))
    # Then the ranges a chart shades come with the points, in the catalog's unit
    assert body["reference"] == {"unit": "mg/dL", "normal": {"low": 70.0, "high": 99.0},
                                 "optimal": {"low": 75.0, "high": 90.0}}


def test_a_biomarker_outside_the_catalog_has_no_reference_ranges(invoke, tables):
    store_rollups(EVENT_SUB, "Lab Specific Marker", ["2026-03-08"], unit="U")
    body = response_json(get(invoke, name="Lab Specific Marker", resolution="daily",
                             **{"from": local_ms("2026-03-08", 0)}))
    assert body["reference"] is None and [p["day"] for p in body["items"]] == ["2026-03-08"]


def test_the_default_window_is_the_last_365_days(invoke, tables):
    store_rollups(EVENT_SUB, "Glucose", year_of_days("2025-11-20", 10))
    body = response_json(get(invoke, resolution="daily", to=local_ms("2026-11-24", 12)))
    assert [p["day"] for p in body["items"]] == [f"2025-11-{d}" for d in range(25, 30)]


def test_days_are_the_clinics_local_days_of_from_and_to(invoke, tables):
    store_rollups(EVENT_SUB, "Glucose", ["2026-03-07", "2026-03-08", "2026-03-09"])
    # 23:30 on Mar 7 in New York is already Mar 8 in UTC: the clinic's day decides
    body = response_json(get(invoke, resolution="daily", **{"from": local_ms("2026-03-07", 23, 30),
                                                            "to": local_ms("2026-03-08", 23, 30)}))
    assert [p["day"] for p in body["items"]] == ["2026-03-07", "2026-03-08"]


def test_names_are_canonical_like_the_write_path(invoke, tables):
    store_rollups(EVENT_SUB, "Glucose", ["2026-03-08"])
    body = response_json(get(invoke, name="glucose", resolution="daily", **{"from": local_ms("2026-03-08", 0)}))
    assert body["name"] == "Glucose" and len(body["items"]) == 1


def test_more_than_a_year_is_a_400_not_a_second_page(invoke, tables):
    result = get(invoke, resolution="daily", **{"from": local_ms("2025-01-01", 0), "to": local_ms("2026-01-02", 0)})
    assert result["statusCode"] == 400
    assert response_json(result)["error"]["details"][0]["field"] == "from"


@pytest.mark.parametrize("query", [{"resolution": "hourly"}, {"resolution": "daily", "cursor": "x.y.z"},
                                   {"resolution": "daily", "from": "2", "to": "1"}])
def test_bad_queries_are_400s(invoke, tables, query):
    assert get(invoke, **query)["statusCode"] == 400


def test_another_users_rollups_are_never_returned(invoke, tables):
    store_rollups("someone-else", "Glucose", ["2026-03-08"])
    body = response_json(get(invoke, resolution="daily", **{"from": local_ms("2026-03-08", 0),
                                                            "to": local_ms("2026-03-08", 23)}))
    assert body["items"] == []


def test_an_invalid_name_is_a_400_that_does_not_echo_it(invoke, tables):
    result = get(invoke, name="%3Cscript%3E", resolution="daily")
    assert result["statusCode"] == 400 and "script" not in result["body"]


def test_raw_resolution_pages_through_one_biomarkers_readings(monkeypatch, invoke, tables, ddb_calls):
    arriving(monkeypatch, "2026-03-10")
    readings.record(EVENT_SUB, [new_reading("Glucose", 80 + i, local_ms("2026-03-10", 6 + i)) for i in range(5)]
                    + [new_reading("LDL Cholesterol", 60, local_ms("2026-03-10", 7))])
    ddb_calls.reset()
    first = response_json(get(invoke, limit=3))
    assert [r["value"] for r in first["items"]] == [80, 81, 82]
    assert dict(ddb_calls.operations) == {"Query": 1}
    rest = response_json(get(invoke, limit=3, cursor=first["nextCursor"]))
    assert [r["value"] for r in rest["items"]] == [83, 84] and rest["nextCursor"] is None
    window = response_json(get(invoke, **{"from": local_ms("2026-03-10", 7), "to": local_ms("2026-03-10", 8)}))
    assert [r["value"] for r in window["items"]] == [81, 82]  # both ends included
