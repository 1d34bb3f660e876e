"""The runner's side of the demo dashboard: the page and its assets under /app/, a runtime
config.json, nothing outside web/dist."""

import json

import pytest

from clinic_local.webapp import WebApp


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


def test_the_bare_prefix_redirects_so_relative_assets_resolve(dist):
    status, headers, _ = WebApp(dist, "").answer("/app")
    assert (status, headers["Location"]) == (308, ["/app/"])


def test_the_runtime_config_names_the_same_origin_api_and_the_socket(dist):
    status, _, body = WebApp(dist, "ws://127.0.0.1:3001/").answer("/app/config.json")
    assert status == 200
    assert json.loads(body) == {"apiBaseUrl": "", "webSocketUrl": "ws://127.0.0.1:3001/", "demoSignIn": True}


@pytest.mark.parametrize("path", ["/app/../secret.txt", "/app/assets/../../secret.txt", "/app/missing.js",
                                  "/app/assets"])
def test_nothing_outside_dist_and_no_directory_is_served(dist, path):
    status, _, body = WebApp(dist, "").answer(path)
    assert status == 404
    assert b"outside" not in body


def test_other_paths_are_left_to_the_api(dist):
    assert WebApp(dist, "").answer("/biomarkers/stats") is None
    assert WebApp(dist, "").answer("/application") is None


def test_a_missing_build_says_how_to_make_it(tmp_path):
    status, _, body = WebApp(tmp_path / "nowhere", "").answer("/app/")
    assert status == 404 and b"make web" in body
