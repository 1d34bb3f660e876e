"""The distribution's behaviour as the local runner copies it (clinic_local.edge): the CloudFront
Functions in template.yaml, run under node, route every path as the runner does, and the runner's
headers are the template's response headers policy."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from clinic_local import edge
from clinic_tools import template

RESOURCES = template.load()["Resources"]
PATHS = ["/", "/app", "/app/", "/app/index.html", "/app/config.json", "/app/assets/index-Bq3xYz9A.js",
         "/app/patients/123", "/app/auth/callback", "/app/assets", "/favicon.ico", "/biomarkers/stats",
         "/api/biomarkers/stats", "/api/admin/patients/u-1/biomarkers", "/api/", "/application"]


def run_function(logical_id: str, uris: list[str]) -> list[dict]:
    """The viewer-request function's answer for each URI, evaluated by node."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to run the CloudFront Functions")
    code = RESOURCES[logical_id]["Properties"]["FunctionCode"]
    script = code + "\nconst uris = JSON.parse(process.argv[1]);\n" \
        "console.log(JSON.stringify(uris.map((uri) => handler({ request: { uri, headers: {} } }))));"
    out = subprocess.run(["node", "-e", script, json.dumps(uris)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_runner_routes_page_paths_as_the_pages_viewer_request_function_does():
    for uri, answer in zip(PATHS, run_function("WebRoutingViewerRequest", PATHS), strict=True):
        local = edge.page_route(uri)
        if "statusCode" in answer:
            assert local == ("redirect", answer["headers"]["location"]["value"]), uri
        elif answer["uri"] != uri:
            assert local == ("serve", answer["uri"]), uri
        else:  # untouched: the bucket's own object, or not the page's
            assert local in (("serve", uri), None), uri


def test_the_runner_strips_the_api_prefix_as_the_apis_viewer_request_function_does():
    api_paths = [p for p in PATHS if p.startswith("/api/")]
    for uri, answer in zip(api_paths, run_function("ApiPathViewerRequest", api_paths), strict=True):
        assert edge.api_path(uri) == answer["uri"], uri
    assert edge.api_path("/biomarkers/stats") is None and edge.api_path("/application") is None


def test_the_local_csp_is_the_templates_with_local_origins():
    csp = edge.content_security_policy({"LiveUpdatesOrigin": "ws://127.0.0.1:3001", "CognitoOrigins": ""})
    text = RESOURCES[edge.POLICY]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"][0]
    assert csp == text.replace("${LiveUpdatesOrigin}", "ws://127.0.0.1:3001").replace(" ${CognitoOrigins}", "")


def test_the_runner_sends_every_header_the_policy_adds():
    config = RESOURCES[edge.POLICY]["Properties"]["ResponseHeadersPolicyConfig"]
    expected = {"Content-Security-Policy", "Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options",
                "Referrer-Policy"} | {item["Header"] for item in config["CustomHeadersConfig"]["Items"]}
    assert set(edge.headers("ws://127.0.0.1:3001")) == expected


@pytest.mark.parametrize(("key", "cache"), [
    ("assets/index-Bq3xYz9A.js", edge.IMMUTABLE), ("assets/index-D_4k-9aZ.css", edge.IMMUTABLE),
    ("index.html", edge.REVALIDATE), ("config.json", edge.REVALIDATE), ("favicon.svg", edge.REVALIDATE),
    ("assets/logo.svg", edge.REVALIDATE),
])
def test_hashed_build_output_is_immutable_and_everything_else_revalidates(key, cache):
    assert edge.cache_control(key) == cache
