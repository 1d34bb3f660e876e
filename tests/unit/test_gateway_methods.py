"""The local API Gateway answers a method a path does not declare with 405 and Allow (the
methods the template routes on that path), and an unknown path with 404, before any token check."""

import json

import pytest

from clinic_local.gateway import Gateway
from clinic_tools import template


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
