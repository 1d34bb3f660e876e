"""The dashboard's origin: what the distribution serves and what the local runner serves the
same way. The page at /app/ with the security headers (a strict CSP that names the live-updates
socket), config.json naming the API under /api, the API answering there with its own errors
passed through, and page routes answered with the page.

Collected by tests/http/test_local_origin.py (the runner) and tests/e2e/test_deployed_origin.py
(a deployed distribution); both provide the ``dashboard`` fixture: an Api whose base URL is the
origin (scheme://host).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


def test_the_page_is_served_with_a_strict_csp_and_the_security_headers(dashboard):
    page = dashboard.get("/app/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<div id="root">' in page.text
    directives = csp(page)
    assert directives["script-src"] == ["'self'"] and directives["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in v for values in directives.values() for v in values)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in page.headers["Permissions-Policy"]
    assert page.headers["Cache-Control"] == "no-cache"


def test_config_json_names_the_api_under_api_and_a_socket_the_csp_allows(dashboard):
    answer = dashboard.get("/app/config.json")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
    config = answer.json()
    assert config["apiBaseUrl"] == "/api"
    socket = urlsplit(config["webSocketUrl"])
    assert socket.scheme in ("ws", "wss")
    assert f"{socket.scheme}://{socket.netloc}" in csp(answer)["connect-src"]


def test_the_api_answers_under_api_on_the_same_origin(dashboard):
    stats = dashboard.as_patient("/api/biomarkers/stats")
    assert stats.status_code == 200 and stats.headers["Content-Type"].startswith("application/json")
    body = stats.json()
    assert body["total"] == sum(body["counts"].values())


def test_api_errors_pass_through_untouched_not_as_the_page(dashboard):
    unauthenticated = dashboard.get("/api/biomarkers/stats")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["code"] == "unauthorized"
    for path in ("/api/no-such-route", "/api/app/"):  # the page is not reachable through /api
        missing = dashboard.as_patient(path)
        assert missing.status_code == 404, path
        assert missing.json()["error"]["code"] == "not_found"


def test_a_page_route_is_answered_with_the_page_and_the_root_redirects_to_it(dashboard):
    route = dashboard.get("/app/patients/some-route")
    assert route.status_code == 200 and '<div id="root">' in route.text
    root = dashboard.get("/", allow_redirects=False)
    assert root.status_code in (301, 302) and root.headers["Location"].endswith("/app/")


def test_the_pages_assets_are_immutable(dashboard):
    page = dashboard.get("/app/")
    script = next(part.split('"')[0] for part in page.text.split('src="')[1:] if "/assets/" in part)
    asset = dashboard.get(script)
    assert asset.status_code == 200
    assert "immutable" in asset.headers["Cache-Control"]
