"""`clinic-local rollup` against the running runner: the demo data's activity markers are rolled
up, and the API serves the result as daily history."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.http.conftest import ROOT
from tests.http.test_runner_cli import _clean_env

pytestmark = pytest.mark.http


def rollup(state, *args):
    return subprocess.run([sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "rollup", *args],
                          cwd=ROOT, env=_clean_env(), capture_output=True, text=True)


def test_rollup_backfills_a_night_and_the_api_serves_its_daily_points(api, local_stack_state, tmp_path):
    # Given the running stack, seeded today (its readings marked under today's night)
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    today = datetime.now(ZoneInfo("America/New_York")).date()
    # When tonight's work is run now, as a backfill (and yesterday's too, should the seed have
    # run just before midnight)
    reports = []
    for day in (today - timedelta(days=1), today):
        out = rollup(state, "--day", day.isoformat())
        assert out.returncode == 0, out.stderr[-2000:]
        reports.append(json.loads(out.stdout.strip().splitlines()[-1]))  # after the functions' own logs
    # Then the demo patients were rolled up, and the sensor readings of the default window (the
    # last 365 clinic-local days) are served day by day, each counted once
    assert sum(r["users"] for r in reports) >= 2 and all(r["failedAttempts"] == 0 for r in reports)
    path = "/biomarkers/Continuous%20Glucose%20(CGM)/history"
    body = api.as_patient(f"{path}?resolution=daily").json()
    assert body["name"] == "Continuous Glucose (CGM)" and len(body["items"]) >= 5
    first_day = today - timedelta(days=364)
    in_window = [r for r in _raw_history(api, path)
                 if datetime.fromtimestamp(r["recordedAt"] / 1000, ZoneInfo("America/New_York")).date() >= first_day]
    assert sum(p["count"] for p in body["items"]) == len(in_window)
    assert all(p["min"] <= p["avg"] <= p["max"] for p in body["items"])


def _raw_history(api, path):
    readings, cursor = [], None
    while True:
        page = api.as_patient(f"{path}?limit=100" + (f"&cursor={cursor}" if cursor else "")).json()
        readings += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            return readings


def test_rollup_rejects_a_malformed_day(local_stack_state, tmp_path):
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    out = rollup(state, "--day", "2026-02-30")
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr
