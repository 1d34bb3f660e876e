"""The functions answer with the one origin CORS allows, the same as API Gateway's preflight and
gateway responses (template parameter AllowedOrigins, passed as ALLOWED_ORIGIN)."""

from clinic_tools import template
from tests.support.events import api_event

ORIGIN = template.parameter_defaults()["AllowedOrigins"]


def test_a_success_carries_the_allowed_origin(invoke, tables):
    result = invoke("GetBiomarkerStatsFunction", api_event("biomarkers/get_stats.json"))
    assert result["statusCode"] == 200
    assert result["multiValueHeaders"]["Access-Control-Allow-Origin"] == [ORIGIN]


def test_an_error_carries_it_too_so_the_browser_can_read_the_error(invoke, tables):
    result = invoke("GetBiomarkerStatsFunction", api_event("biomarkers/get_stats.json", claims=False))
    assert result["statusCode"] == 401
    assert result["multiValueHeaders"]["Access-Control-Allow-Origin"] == [ORIGIN]


def test_a_staff_route_refused_before_routing_carries_it(invoke, tables):
    result = invoke("ListPatientsFunction", api_event("admin/list_patients.json", groups=[]))  # a patient
    assert result["statusCode"] == 403
    assert result["multiValueHeaders"]["Access-Control-Allow-Origin"] == [ORIGIN]


def test_the_origin_is_the_dashboards_not_a_wildcard():
    assert ORIGIN.startswith(("http://", "https://")) and "*" not in ORIGIN
    assert template.load()["Globals"]["Function"]["Environment"]["Variables"]["ALLOWED_ORIGIN"] == {
        "Ref": "AllowedOrigins"}
