"""The page's JavaScript budget: what `vite build` wrote to web/dist, gzipped, stays under 120 kB
(a phone on a slow network). `make test` builds web/dist first; elsewhere the test skips without a
build (fails under CI)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
BUDGET_BYTES = 120 * 1000


def gzipped_js_bytes(dist: Path) -> int:
    return sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in sorted(dist.rglob("*.js")))


def test_the_pages_javascript_is_under_120_kb_gzipped():
    if not (DIST / "index.html").is_file():
        if os.environ.get("CI"):
            pytest.fail("web/dist is missing: make web")
        pytest.skip("web/dist is missing: make web")
    size = gzipped_js_bytes(DIST)
    print(f"web/dist JavaScript: {size / 1000:.1f} kB gzipped")
    assert 0 < size <= BUDGET_BYTES, f"{size / 1000:.1f} kB gzipped, over the {BUDGET_BYTES / 1000:.0f} kB budget"


def test_the_measure_counts_every_script_of_the_build(tmp_path):
    # Given a build with two scripts (a chunk split off must still count) and a stylesheet
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index.js").write_bytes(b"a" * 1000)
    (tmp_path / "assets" / "chart.js").write_bytes(os.urandom(5000))
    (tmp_path / "assets" / "index.css").write_bytes(os.urandom(5000))
    # Then both scripts count, the stylesheet does not
    assert 5000 < gzipped_js_bytes(tmp_path) < 5200
