"""Signing in with an email link on the page, in headless Chromium against the local runner:
the address form answers "check your email", the printed link lands on the dashboard in that
person's account (its secret gone from the URL), "Sign out" revokes the refresh token (the user
pool's API refuses it afterwards), and the same link again is refused in words; "Sign out
everywhere" in one tab makes the user pool refuse another tab's refresh token;
"Continue with Google" (the runner's stand-in) for the same address lands in the same account
after the page restarts Cognito's first-link failure once.
The browser side is web/e2e/sign_in.mjs."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.http.conftest import ROOT
from tests.http.test_dashboard_browser import _require_browser

pytestmark = pytest.mark.http

SCRIPT = ROOT / "web" / "e2e" / "sign_in.mjs"


def test_an_email_link_signs_in_once_and_google_lands_in_the_same_account(local_stack_state, tmp_path):
    _require_browser()
    # A seeded patient: other tests add accounts to the shared stack, and the fuzzer deletes its own.
    person = [a for a in local_stack_state.accounts
              if a["role"] == "patient" and a["email"].endswith("@demo.clinic.test")][-1]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"baseUrl": local_stack_state.api_url, "email": person["email"],
                                  "userId": person["userId"], "log": str(local_stack_state.log_path)}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}
    done = subprocess.run(["node", str(SCRIPT), str(config)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    report = json.loads(lines[-1])
    assert done.returncode == 0 and report["ok"], f"{report}\n{done.stderr[-2000:]}"
    assert report["sub"] == report["googleSub"] == person["userId"]
    assert report["consents"] == 2
    assert report["refreshAfterSignOut"] == [400, "NotAuthorizedException"]


def test_sign_out_everywhere_ends_the_persons_other_sessions(local_stack_state, tmp_path):
    _require_browser()
    # Given a seeded patient (the one the email-link test signs in as: neither test relies on a
    # session that outlives it) signed in in two tabs with the demo picker
    person = [a for a in local_stack_state.accounts
              if a["role"] == "patient" and a["email"].endswith("@demo.clinic.test")][-1]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"baseUrl": local_stack_state.api_url, "email": person["email"]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}
    # When one tab signs out everywhere
    done = subprocess.run(["node", str(ROOT / "web" / "e2e" / "sign_out_everywhere.mjs"), str(config)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=180)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    report = json.loads(lines[-1])
    # Then the other tab's refresh token is refused by the user pool
    assert done.returncode == 0 and report["ok"], f"{report}\n{done.stderr[-2000:]}"
    assert report["before"] == [[200, "ok"], [200, "ok"]]
    assert report["after"]["elsewhere"] == [400, "NotAuthorizedException"]


def test_staff_give_the_authenticator_code_before_an_admin_route_answers(local_stack_state, tmp_path):
    _require_browser()
    admin = next(a for a in local_stack_state.accounts if a["role"] == "admin")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"baseUrl": local_stack_state.api_url, "email": admin["email"],
                                  "totpSecret": admin["totpSecret"], "log": str(local_stack_state.log_path)}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_"))}
    done = subprocess.run(["node", str(ROOT / "web" / "e2e" / "staff.mjs"), str(config)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    report = json.loads(lines[-1])
    assert done.returncode == 0 and report["ok"], f"{report}\n{done.stderr[-2000:]}"
    assert (report["tokenBeforeCode"], report["role"], report["adminStatus"]) == (None, "admin", 200)
