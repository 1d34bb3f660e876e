"""Signing in by email link against the local runner (`make dev`): the link is printed to the
runner's console, and a local endpoint does what the dashboard does with it through Cognito's
triggers, which the runner drives (moto runs none)."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from urllib.parse import quote

import jwt
import pytest

from tests.http.suite import assert_error

pytestmark = pytest.mark.http

COMPLETE = "/local/auth/email-link/complete"


def ask_for_link(api, email):
    return api.request("POST", "/auth/email-link", json={"email": email})


def link_token(local_stack_state, email):
    pattern = re.escape("#token=") + r"([A-Za-z0-9_-]{43})&email=" + re.escape(quote(email, safe="@"))
    found = re.findall(pattern, local_stack_state.log_path.read_text())
    assert found, "the runner printed no link for that address"
    return found[-1]


def sign_in_by_link(api, local_stack_state, email):
    assert ask_for_link(api, email).status_code == 202
    return api.request("POST", COMPLETE, json={"email": email, "token": link_token(local_stack_state, email)})


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def new_address():
    return f"newcomer-{uuid.uuid4().hex[:12]}@example.com"


def test_a_new_address_signs_up_with_its_link_once(api, local_stack_state):
    email = new_address()
    response = sign_in_by_link(api, local_stack_state, email)
    assert response.status_code == 200, response.text
    token = response.json()["idToken"]
    assert claims(token)["role"] == "patient"
    stats = api.get("/biomarkers/stats", token=token)
    assert stats.status_code == 200
    assert stats.json()["total"] == 0
    # The same link again is refused
    again = api.request("POST", COMPLETE, json={"email": email, "token": link_token(local_stack_state, email)})
    assert_error(again, 401, "unauthorized")
    assert token not in local_stack_state.log_path.read_text()


def test_a_demo_patient_signs_in_by_link_to_her_own_data(api, local_stack_state):
    patient = next(a for a in local_stack_state.accounts if a["role"] == "patient")
    response = sign_in_by_link(api, local_stack_state, patient["email"])
    assert claims(response.json()["idToken"])["sub"] == patient["userId"]
    assert api.get("/biomarkers/stats", token=response.json()["idToken"]).json()["total"] >= 60


def test_known_and_unknown_addresses_get_the_same_answer(api, local_stack_state):
    known = ask_for_link(api, local_stack_state.accounts[1]["email"])
    unknown = ask_for_link(api, new_address())
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202


def test_a_bad_address_is_a_400(api):
    assert_error(api.request("POST", "/auth/email-link", json={"email": "nope"}), 400, "validation_error")


def test_deleting_my_account_then_signing_up_again_is_a_new_account(api, local_stack_state):
    email = new_address()
    first = sign_in_by_link(api, local_stack_state, email).json()["idToken"]
    assert api.request("DELETE", "/me", token=first).status_code == 204
    second = sign_in_by_link(api, local_stack_state, email).json()["idToken"]
    assert claims(second)["sub"] != claims(first)["sub"]


def test_make_token_carries_the_role_claim(api, local_stack_state):
    admin = next(a for a in local_stack_state.accounts if a["role"] == "admin")
    state_file = local_stack_state.log_path.with_suffix(".json")
    printed = subprocess.run([sys.executable, "-m", "clinic_local.cli", "--state-file", str(state_file), "token",
                              admin["email"]], capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    assert claims(printed)["role"] == "admin"
    assert api.get("/biomarkers/stats", token=printed).status_code == 200


@pytest.mark.parametrize("body", [None, {"email": "a@example.com"}, {"token": "x"}, ["a", "b"]],
                         ids=["empty", "no-token", "no-email", "array"])
def test_completing_without_an_address_and_a_token_is_a_400(api, body):
    assert_error(api.request("POST", COMPLETE, json=body), 400, "validation_error")


def test_a_link_presented_for_another_address_is_refused_and_still_works(api, local_stack_state):
    email = new_address()
    assert ask_for_link(api, email).status_code == 202
    token = link_token(local_stack_state, email)
    assert_error(api.request("POST", COMPLETE, json={"email": new_address(), "token": token}), 401, "unauthorized")
    assert api.request("POST", COMPLETE, json={"email": email, "token": token}).status_code == 200
