"""Signing in with an email link on the page, in headless Chromium against the local runner:
the address form answers "check your email", the printed link lands on the dashboard in that
person's account (its secret gone from the URL), "Sign out" revokes the refresh token (the user
pool's API refuses it afterwards), and the same link again is refused in words; "Sign out
everywhere" in one tab makes the user pool refuse another tab's refresh token;
"Continue with Google" (the runner's stand-in) for the same address lands in the same account
after the page restarts Cognito's first-link failure once.
The browser side is web/e2e/sign_in.mjs."""

from __future__ import annotations

import pytest

from tests.support import browser

pytestmark = pytest.mark.http



def test_an_email_link_signs_in_once_and_google_lands_in_the_same_account(local_stack_state, tmp_path):
    # A seeded patient: other tests add accounts to the shared stack, and the fuzzer deletes its own.
    person = [a for a in local_stack_state.accounts
              if a["role"] == "patient" and a["email"].endswith("@demo.clinic.test")][-1]
    report = browser.run("sign_in.mjs", {"baseUrl": local_stack_state.api_url, "email": person["email"],
                                         "userId": person["userId"], "log": str(local_stack_state.log_path)},
                         tmp_path, timeout=180)
    assert report["sub"] == report["googleSub"] == person["userId"]
    assert report["consents"] == 2
    assert report["refreshAfterSignOut"] == [400, "NotAuthorizedException"]


def test_sign_out_everywhere_ends_the_persons_other_sessions(local_stack_state, tmp_path):
    # Given a seeded patient (the one the email-link test signs in as: neither test relies on a
    # session that outlives it) signed in in two tabs with the demo picker
    person = [a for a in local_stack_state.accounts
              if a["role"] == "patient" and a["email"].endswith("@demo.clinic.test")][-1]
    # When one tab signs out everywhere
    report = browser.run("sign_out_everywhere.mjs", {"baseUrl": local_stack_state.api_url, "email": person["email"]},
                         tmp_path, timeout=180)
    # Then the other tab's refresh token is refused by the user pool
    assert report["before"] == [[200, "ok"], [200, "ok"]]
    assert report["after"]["elsewhere"] == [400, "NotAuthorizedException"]


def test_staff_give_the_authenticator_code_before_an_admin_route_answers(local_stack_state, tmp_path):
    admin = next(a for a in local_stack_state.accounts if a["role"] == "admin")
    report = browser.run("staff.mjs", {"baseUrl": local_stack_state.api_url, "email": admin["email"],
                                       "totpSecret": admin["totpSecret"], "log": str(local_stack_state.log_path)},
                         tmp_path, timeout=180)
    assert (report["tokenBeforeCode"], report["role"], report["adminStatus"]) == (None, "admin", 200)
