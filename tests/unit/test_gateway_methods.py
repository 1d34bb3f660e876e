"""A method a path does not declare is a 405 with Allow (the methods the template routes on that
path, and OPTIONS), deployed and locally alike, before any token check; an unknown path a 404.
Deployed, API Gateway answers it itself: a MOCK ``ANY`` method on every path of ClinicApi's
DefinitionBody (tools/generate_template.py; ANY catches only the methods a path does not declare);
the local runner reads its answers from there."""

import json
import re

import pytest

from clinic_local.gateway import Gateway
from clinic_tools import template

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "TRACE", "QUERY")
(API,) = template.resources("AWS::Serverless::Api").values()
DEFINITION = API["Properties"]["DefinitionBody"]
PATHS = sorted({r.path for r in template.routes()})


@pytest.fixture(scope="module")
def gateway():
    return Gateway(authorizer=None)  # type: ignore[arg-type] - these answers never reach it


def declared(path: str) -> set[str]:
    return {r.method for r in template.routes() if r.path == path}


@pytest.mark.parametrize(("method", "path", "template_path"), [
    ("TRACE", "/appointments", "/appointments"),
    ("PUT", "/me", "/me"),
    ("QUERY", "/medications/abc123", "/medications/{medicationId}"),
    ("DELETE", "/biomarkers/Glucose/history", "/biomarkers/{name}/history"),
])
def test_a_method_the_path_lacks_is_a_405_listing_the_paths_methods(gateway, method, path, template_path):
    status, headers, body = gateway.handle(method, path, {}, None, "127.0.0.1")
    assert status == 405
    assert set(headers["Allow"][0].split(", ")) == declared(template_path) | {"OPTIONS"}
    assert json.loads(body)["error"]["code"] == "method_not_allowed"


def test_an_unknown_path_is_still_a_404(gateway):
    status, _, body = gateway.handle("GET", "/nowhere", {}, None, "127.0.0.1")
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"


def test_every_routed_path_and_no_other_has_method_not_allowed_answers():
    assert sorted(DEFINITION["paths"]) == PATHS


def test_sam_is_told_to_add_the_routes_to_the_document():
    # Without MergeDefinitions SAM adds no function's route to a DefinitionBody: every method of
    # every path would be the 405 (found by translating the template; docs/decisions.md)
    assert API["Properties"]["MergeDefinitions"] is True


@pytest.mark.parametrize("path", PATHS)
def test_deployed_a_paths_other_methods_are_answered_405_by_api_gateway_itself(path):
    # Only the catch-all: SAM adds the path's routes and the preflight OPTIONS beside it
    assert set(DEFINITION["paths"][path]) == {"x-amazon-apigateway-any-method"}
    method = DEFINITION["paths"][path]["x-amazon-apigateway-any-method"]
    integration = method["x-amazon-apigateway-integration"]
    # A MOCK integration: no function runs; no authorizer (the answer does not depend on the caller)
    assert integration["type"] == "mock" and method["security"] == [{"NONE": []}]
    assert json.loads(integration["requestTemplates"]["application/json"]) == {"statusCode": 405}
    (response,) = integration["responses"].values()
    assert response["statusCode"] == "405"
    headers = {name.removeprefix("method.response.header."): value
               for name, value in response["responseParameters"].items()}
    # Allow: the path's routed methods (the handlers' decorators, through the template) and OPTIONS
    assert headers["Allow"] == "'" + ", ".join([*sorted(declared(path)), "OPTIONS"]) + "'"
    # ... declared on the method response, as API Gateway requires of a mapped header
    assert set(method["responses"]["405"]["headers"]) == set(headers)
    # the headers every function and gateway response sends, and the error shape
    assert headers["Cache-Control"] == "'no-store'" and headers["X-Content-Type-Options"] == "'nosniff'"
    assert headers["Strict-Transport-Security"].startswith("'max-age=")
    assert headers["Access-Control-Allow-Origin"] == {"Fn::Sub": "'${AllowedOrigins}'"}
    body = json.loads(response["responseTemplates"]["application/json"])
    assert body == {"error": {"code": "method_not_allowed", "message": body["error"]["message"], "details": []}}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "abc123", path)


@pytest.mark.parametrize("path", PATHS)
def test_locally_every_other_method_gets_the_same_answer_as_deployed(gateway, path):
    allow, answer = template.not_allowed_answers()[path]
    for method in sorted(set(METHODS) - declared(path)):
        status, headers, body = gateway.handle(method, concrete(path), {}, None, "127.0.0.1")
        assert (status, headers["Allow"], json.loads(body)) == (405, [allow], answer), (method, path)
