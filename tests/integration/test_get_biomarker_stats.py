"""GET /biomarkers/stats through its Lambda handler (event from events/, tables from the template)."""

import pytest

from clinic.services import readings
from tests.support.data import DAY_MS, NOW_MS, new_reading
from tests.support.events import EVENT_SUB, api_event, response_json

FUNCTION = "GetBiomarkerStatsFunction"


def history(count: int, names: int = 10):
    """``count`` readings spread over ``names`` custom biomarkers, newest per name out of range."""
    out = []
    for i in range(count):
        name = f"Marker {i % names}"
        newest = i >= count - names
        out.append(new_reading(name, 1.0, NOW_MS - (count - i) * 60_000, unit="U", category="metabolic",
                               status="out-of-range" if newest else "optimal", rid=f"r{i}"))
    return out


def test_stats_of_a_user_without_readings_are_all_zero(invoke, tables):
    result = invoke(FUNCTION, api_event("biomarkers/get_stats.json"))
    assert result["statusCode"] == 200
    assert response_json(result) == {"total": 0, "optimal": 0, "inRange": 0, "outOfRange": 0,
                                     "counts": {"optimal": 0, "inRange": 0, "outOfRange": 0}, "asOf": None}


def test_stats_count_the_latest_reading_of_each_biomarker_not_every_row(invoke, tables):
    # Given 3 glucose readings (two old optimal, newest out of range) and one optimal LDL
    readings.record(EVENT_SUB, [
        new_reading("Glucose", 85, NOW_MS - 2 * DAY_MS), new_reading("Glucose", 80, NOW_MS - DAY_MS),
        new_reading("Glucose", 180, NOW_MS), new_reading("LDL Cholesterol", 60, NOW_MS),
    ])
    # When the patient asks for stats
    body = response_json(invoke(FUNCTION, api_event("biomarkers/get_stats.json")))
    # Then 2 biomarkers count, 1 optimal and 1 out of range (the seed would say 3 of 4 optimal)
    assert body["total"] == 2
    assert body["counts"] == {"optimal": 1, "inRange": 0, "outOfRange": 1}
    assert (body["optimal"], body["inRange"], body["outOfRange"]) == (50, 0, 50)
    assert body["asOf"] == NOW_MS


def test_stats_never_include_another_users_readings(invoke, tables):
    readings.record("someone-else", [new_reading("Glucose", 300, NOW_MS)])
    assert response_json(invoke(FUNCTION, api_event("biomarkers/get_stats.json")))["total"] == 0


@pytest.mark.parametrize("stored", [10, 10_000])
def test_stats_are_one_get_item_whatever_the_history(invoke, tables, ddb_calls, stored):
    # Given `stored` readings through the write path
    batch = history(stored)
    for start in range(0, stored, 1000):
        readings.record(EVENT_SUB, batch[start : start + 1000])
    ddb_calls.reset()
    # When stats are requested
    body = response_json(invoke(FUNCTION, api_event("biomarkers/get_stats.json")))
    # Then they are right, and cost exactly one GetItem of at most one read unit
    assert body["total"] == 10 and body["counts"]["outOfRange"] == 10
    assert dict(ddb_calls.operations) == {"GetItem": 1}
    assert ddb_calls.read_units <= 0.5


def test_missing_authorizer_claims_are_a_401_not_a_500(invoke, tables):
    result = invoke(FUNCTION, api_event("biomarkers/get_stats.json", claims=False))
    assert result["statusCode"] == 401
    assert response_json(result)["error"]["code"] == "unauthorized"


def test_every_response_carries_the_security_headers(invoke, tables):
    headers = invoke(FUNCTION, api_event("biomarkers/get_stats.json"))["multiValueHeaders"]
    assert headers["Cache-Control"] == ["no-store"]
    assert headers["X-Content-Type-Options"] == ["nosniff"]
    assert headers["Strict-Transport-Security"][0].startswith("max-age=")
