"""The runner's side of the demo dashboard, as the distribution serves it: the page and its
assets under /app/, page routes answered with index.html, a runtime config.json naming the API
under /api, the distribution's headers, nothing outside web/dist."""

import json

import pytest

from clinic_local.webapp import WebApp
from clinic_tools import template


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "dist" / "assets").mkdir(parents=True)
    (tmp_path / "dist" / "index.html").write_text("<html>page</html>")
    (tmp_path / "dist" / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside")
    return tmp_path / "dist"


def test_the_page_and_its_assets_are_served_with_their_types(dist):
    web = WebApp(dist, "ws://127.0.0.1:3001/")
    status, headers, body = web.answer("/app/")
    assert (status, headers["Content-Type"], body) == (200, ["text/html; charset=utf-8"], b"<html>page</html>")
    status, headers, body = web.answer("/app/assets/app.js")
    assert (status, headers["Content-Type"], body) == (200, ["text/javascript"], b"console.log(1)")
    assert headers["X-Content-Type-Options"] == ["nosniff"]


@pytest.mark.parametrize("path", ["/app", "/"])
def test_the_bare_prefix_and_the_root_redirect_to_the_page(dist, path):
    status, headers, _ = WebApp(dist, "").answer(path)
    assert (status, headers["Location"]) == (301, ["/app/"])


def test_the_runtime_config_names_the_api_under_api_and_the_socket(dist):
    status, headers, body = WebApp(dist, "ws://127.0.0.1:3001/").answer("/app/config.json")
    assert status == 200 and headers["Cache-Control"] == ["no-cache"]
    assert json.loads(body) == {"apiBaseUrl": "/api", "webSocketUrl": "ws://127.0.0.1:3001/", "demoSignIn": True,
                                "cognitoEndpoint": "/cognito-idp/", "userPoolClientId": "", "hostedUiDomain": "",
                                "redirectUri": "/app/"}


def test_the_runtime_config_points_sign_in_at_the_runners_user_pool_api():
    from clinic_local.cognito_api import PATH

    config = json.loads(WebApp(template.ROOT / "web" / "dist", "", "client123").config())
    assert (config["cognitoEndpoint"], config["userPoolClientId"]) == (PATH, "client123")


@pytest.mark.parametrize("path", ["/app/assets", "/app/patients/123", "/app/auth/callback"])
def test_a_page_route_without_a_file_extension_is_answered_with_the_page(dist, path):
    status, headers, body = WebApp(dist, "").answer(path)
    assert (status, body) == (200, b"<html>page</html>")
    assert headers["Cache-Control"] == ["no-cache"]


@pytest.mark.parametrize("path", ["/app/../secret.txt", "/app/assets/../../secret.txt", "/app/missing.js"])
def test_nothing_outside_dist_and_no_missing_file_is_served(dist, path):
    status, _, body = WebApp(dist, "").answer(path)
    assert status == 404
    assert b"outside" not in body


def test_hashed_assets_are_immutable_and_the_page_revalidates(dist):
    (dist / "assets" / "index-Bq3xYz9A.js").write_text("console.log(2)")
    web = WebApp(dist, "")
    assert web.answer("/app/assets/index-Bq3xYz9A.js")[1]["Cache-Control"] == ["public, max-age=31536000, immutable"]
    assert web.answer("/app/")[1]["Cache-Control"] == ["no-cache"]


def test_every_page_answer_carries_the_distributions_csp_naming_the_local_socket(dist):
    for path in ("/app/", "/app/assets/app.js", "/app/config.json", "/app"):
        headers = WebApp(dist, "ws://127.0.0.1:3001/").answer(path)[1]
        csp = headers["Content-Security-Policy"][0]
        assert "connect-src 'self' ws://127.0.0.1:3001;" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == ["DENY"] and headers["Referrer-Policy"] == ["no-referrer"]
        assert headers["Strict-Transport-Security"][0].startswith("max-age=")
        assert "camera=()" in headers["Permissions-Policy"][0]


def test_other_paths_are_left_to_the_api(dist):
    assert WebApp(dist, "").answer("/biomarkers/stats") is None
    assert WebApp(dist, "").answer("/application") is None


def test_a_missing_build_says_how_to_make_it(tmp_path):
    status, _, body = WebApp(tmp_path / "nowhere", "").answer("/app/")
    assert status == 404 and b"make web" in body


def test_every_config_json_names_the_api_where_the_template_puts_it(dist):
    # the stack output `make publish` writes, the runner's own, and the one in the build
    output = template.load()["Outputs"]["DashboardApiBaseUrl"]["Value"]
    assert json.loads(WebApp(dist, "").config())["apiBaseUrl"] == output
    assert json.loads((template.ROOT / "web" / "public" / "config.json").read_text())["apiBaseUrl"] == output
