"""The runner serves the demo dashboard at /app/ (same origin as the API) with its runtime config,
and its demo-account picker: the accounts (no secrets) and a session for one of them (tokens the
user pool's API refreshes and revokes as any other)."""

from __future__ import annotations

import pytest

from clinic_local.seed import DEMO_PEOPLE

pytestmark = pytest.mark.http

ACCOUNTS = "/local/auth/demo-accounts"
SIGN_IN = "/local/auth/demo-sign-in"


def test_the_picker_lists_the_demo_accounts_without_their_passwords(api, local_stack_state):
    listed = api.get(ACCOUNTS)
    assert listed.status_code == 200
    accounts = listed.json()["accounts"]
    # the seeded people (other tests add accounts to the pool, not to the runner's demo list)
    assert [(a["email"], a["name"], a["role"]) for a in accounts] == [(p.email, p.name, p.role) for p in DEMO_PEOPLE]
    assert all(set(a) == {"email", "name", "role"} for a in accounts)
    secrets = {a["password"] for a in local_stack_state.accounts}
    assert not any(secret in listed.text for secret in secrets)


def test_a_demo_sign_in_gives_a_token_the_api_accepts_for_that_patient_only(api, local_stack_state):
    patient = next(a for a in local_stack_state.accounts if a["role"] == "patient")
    signed_in = api.request("POST", SIGN_IN, json={"email": patient["email"].upper()})
    assert signed_in.status_code == 200
    assert set(signed_in.json()) == {"idToken", "accessToken", "refreshToken", "expiresIn"}
    token = signed_in.json()["idToken"]
    mine = api.get("/me", token=token)
    assert mine.status_code == 200
    assert mine.json()["userId"] == patient["userId"]
    assert api.get("/biomarkers/stats", token=token).json() == api.as_patient("/biomarkers/stats").json()


def test_a_demo_session_refreshes_and_signs_out_as_a_user_pool_one(api, local_stack_state, idp):
    # Given a demo patient's session from the picker
    patient = next(a for a in local_stack_state.accounts if a["role"] == "patient")
    tokens = api.request("POST", SIGN_IN, json={"email": patient["email"]}).json()
    client_id = local_stack_state.client_id
    # When the page refreshes it through the user pool's API, then signs out
    refreshed = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["refreshToken"]})["AuthenticationResult"]
    assert api.get("/me", token=refreshed["IdToken"]).json()["userId"] == patient["userId"]
    idp.revoke_token(ClientId=client_id, Token=tokens["refreshToken"])
    # Then the refresh token is refused afterwards
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["refreshToken"]})


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"email": "nobody@demo.clinic.test"}, 404, "not_found"),
    ({"email": 7}, 404, "not_found"),
    ({}, 400, "validation_error"),
    ("not json", 400, "validation_error"),
], ids=["unknown", "not-a-string", "missing", "not-json"])
def test_a_bad_demo_sign_in_is_a_4xx_in_the_error_shape(api, body, status, code):
    answer = api.request("POST", SIGN_IN, json=body) if isinstance(body, dict) else \
        api.request("POST", SIGN_IN, data=body)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert "idToken" not in answer.text


def test_the_page_and_its_runtime_config_are_served_same_origin(api):
    page = api.get("/app/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<div id="root">' in page.text
    config = api.get("/app/config.json").json()
    assert config["apiBaseUrl"] == "/api" and config["demoSignIn"] is True
