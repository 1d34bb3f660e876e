"""A page left open outlives its ID token: a runner whose ID tokens last 65 seconds
(CLINIC_ID_TOKEN_SECONDS), a seeded patient signed in by email link, and a request made after the
first token has expired succeeds with a refreshed one, without a reload or a lost filter; the live
socket, dropped by the server after that, reconnects with the refreshed token (the runner's
$connect refuses the expired one) and a reading ingested afterwards reaches the page live. The
browser side is web/e2e/refresh.mjs."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from clinic_local import stack as local_stack
from clinic_local.tokens import OVERRIDE as ID_LIFETIME_VARIABLE
from tests.http.conftest import ROOT
from tests.support import browser
from tests.support.ports import free_port

pytestmark = pytest.mark.http

LIFETIME_S = 65  # the page refreshes a minute before expiry: here 5 seconds after signing in


def test_a_request_after_the_id_token_expired_is_made_with_a_refreshed_one(tmp_path):
    browser.require()
    state, log_path = tmp_path / "stack.json", tmp_path / "runner.log"
    api_port = free_port()
    env = browser.clean_env()
    env.update({"PYTHONUNBUFFERED": "1", ID_LIFETIME_VARIABLE: str(LIFETIME_S)})
    with open(log_path, "w") as log:
        runner = subprocess.Popen(
            [sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "dev", "--port", str(api_port),
             "--moto-port", str(free_port()), "--ws-port", str(free_port())],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 180
            while not state.exists() and runner.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert state.exists(), log_path.read_text()[-3000:]
            patient = [a for a in local_stack.LocalStack.load(state).accounts if a["role"] == "patient"][-1]
            # A biomarker new to the patient, out of range: the widget's numbers must move.
            reading = {"userId": patient["userId"], "name": "Browser Live Marker", "value": 1, "unit": "u",
                       "category": "vitals", "status": "out-of-range", "recordedAt": int(time.time() * 1000),
                       "source": "browser.test", "sourceReadingId": "refresh-live-1"}
            readings = tmp_path / "readings.jsonl"
            readings.write_text(json.dumps(reading) + "\n")
            report = browser.run("refresh.mjs", {
                "baseUrl": f"http://127.0.0.1:{api_port}", "email": patient["email"], "log": str(log_path),
                "ingest": [sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "ingest",
                           str(readings)]}, tmp_path, timeout=240, env=browser.clean_env())
            expired_connect = _connect(local_stack.LocalStack.load(state).live["url"], report.get("firstToken"))
        finally:
            runner.send_signal(signal.SIGINT)
            runner.wait(timeout=30)
    assert report["lifetime"] == LIFETIME_S
    assert (report["firstTokenStatus"], report["afterExpiry"]) == (401, 200)
    assert (report["socketsBeforeDrop"], report["sockets"], report["reconnectedWithFirstToken"]) == (1, 2, False)
    assert expired_connect == 401, "the runner's $connect refuses the expired first token"
    assert report["liveAfterReconnect"]["outOfRange"]["count"] > 0


def _connect(url: str, token: str | None) -> int:
    """The HTTP status of a WebSocket handshake with ``token`` (101 when it opens)."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    if token is None:
        return 0
    try:
        with connect(f"{url}?token={token}", open_timeout=10):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code
