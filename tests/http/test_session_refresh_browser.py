"""A page left open outlives its ID token: a runner whose ID tokens last 65 seconds
(CLINIC_ID_TOKEN_SECONDS), a patient signed in by email link, and a request made after the first
token has expired succeeds with a refreshed one, without a reload or a lost filter. The browser
side is web/e2e/refresh.mjs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from clinic_local.tokens import OVERRIDE as ID_LIFETIME_VARIABLE
from tests.http.conftest import ROOT
from tests.http.test_dashboard_browser import _require_browser
from tests.http.test_local_sign_in import new_address
from tests.support.ports import free_port

pytestmark = pytest.mark.http

SCRIPT = ROOT / "web" / "e2e" / "refresh.mjs"
LIFETIME_S = 65  # the page refreshes a minute before expiry: here 5 seconds after signing in


def test_a_request_after_the_id_token_expired_is_made_with_a_refreshed_one(tmp_path):
    _require_browser()
    state, log_path = tmp_path / "stack.json", tmp_path / "runner.log"
    api_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}
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
            config = tmp_path / "config.json"
            config.write_text(json.dumps({"baseUrl": f"http://127.0.0.1:{api_port}", "email": new_address(),
                                          "log": str(log_path)}))
            browser_env = {k: v for k, v in env.items() if k != ID_LIFETIME_VARIABLE}
            done = subprocess.run(["node", str(SCRIPT), str(config)], cwd=ROOT, env=browser_env,
                                  capture_output=True, text=True, timeout=240)
        finally:
            runner.send_signal(signal.SIGINT)
            runner.wait(timeout=30)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    report = json.loads(lines[-1])
    assert done.returncode == 0 and report["ok"], f"{report}\n{done.stderr[-2000:]}"
    assert report["lifetime"] == LIFETIME_S
    assert (report["firstTokenStatus"], report["afterExpiry"]) == (401, 200)
