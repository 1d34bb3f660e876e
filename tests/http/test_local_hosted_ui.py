"""The runner's hosted UI for Google (`/oauth2/authorize`, `/oauth2/token`, a stand-in for
Google's consent page): authorization code with PKCE, and one account per person, the Google
identity linked to the email account by the same pre-sign-up trigger as in AWS."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from clinic_local.hosted_ui import AUTHORIZE, CONSENT, TOKEN
from tests.http.test_local_cognito_api import sign_in
from tests.http.test_local_sign_in import claims, new_address

pytestmark = pytest.mark.http


class Flow:
    """What the page does: a verifier, state and nonce, then authorize, consent, exchange."""

    def __init__(self, base: str, client_id: str) -> None:
        self.base, self.client_id = base, client_id
        self.redirect_uri = f"{base}/app/"
        self.verifier = secrets.token_urlsafe(48)
        self.state, self.nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

    def authorize(self, **overrides: str) -> requests.Response:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).decode().rstrip("=")
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                  "identity_provider": "Google", "scope": "openid email profile", "state": self.state,
                  "nonce": self.nonce, "code_challenge": challenge, "code_challenge_method": "S256", **overrides}
        return requests.get(self.base + AUTHORIZE, params=params, allow_redirects=False, timeout=10)

    def consent(self, email: str, *, verified: bool = True) -> dict[str, str]:
        """Through the consent page as a person would; the query the page is sent back with."""
        consent = self.authorize()
        assert consent.status_code == 302
        page = requests.get(self.base + consent.headers["Location"], timeout=10)
        assert page.status_code == 200 and "<form" in page.text
        handle = parse_qs(urlsplit(consent.headers["Location"]).query)["request"][0]
        form = {"request": handle, "email": email, "name": "Test Person"}
        if verified:
            form["email_verified"] = "true"
        back = requests.post(self.base + CONSENT, data=form, allow_redirects=False, timeout=10)
        assert back.status_code == 302
        assert back.headers["Location"].startswith(self.redirect_uri)
        return {k: v[0] for k, v in parse_qs(urlsplit(back.headers["Location"]).query).items()}

    def sign_in(self, email: str) -> dict[str, str]:
        """The page's handleRedirect: Cognito's first-link error restarts the sign-in once."""
        answer = self.consent(email)
        if "Already found an entry for username" in answer.get("error_description", ""):
            answer = self.consent(email)
        assert answer["state"] == self.state
        return self.exchange(answer["code"]).json()

    def exchange(self, code: str, **overrides: str) -> requests.Response:
        form = {"grant_type": "authorization_code", "client_id": self.client_id, "code": code,
                "redirect_uri": self.redirect_uri, "code_verifier": self.verifier, **overrides}
        return requests.post(self.base + TOKEN, data=form, timeout=10)


@pytest.fixture
def flow(local_stack_state):
    return Flow(local_stack_state.api_url, local_stack_state.client_id)


def test_google_for_an_address_with_an_email_account_lands_in_that_account(idp, flow, api, local_stack_state):
    email = new_address()
    by_link = sign_in(idp, flow.client_id, api, local_stack_state, email)["AuthenticationResult"]

    first = flow.consent(email)
    assert first["error"] == "invalid_request"
    assert "Already found an entry for username Google_" in first["error_description"]
    tokens = flow.sign_in(email)

    assert claims(tokens["id_token"])["sub"] == claims(by_link["IdToken"])["sub"]
    assert claims(tokens["id_token"])["nonce"] == flow.nonce
    assert claims(tokens["id_token"])["role"] == "patient"
    assert api.get("/biomarkers/stats", token=tokens["id_token"]).status_code == 200


def test_google_first_creates_the_account_that_a_later_email_link_signs_into(idp, flow, api, local_stack_state):
    email = new_address()
    tokens = flow.sign_in(email)
    by_link = sign_in(idp, flow.client_id, api, local_stack_state, email)["AuthenticationResult"]
    assert claims(by_link["IdToken"])["sub"] == claims(tokens["id_token"])["sub"]


def test_an_address_google_has_not_verified_is_refused(flow):
    answer = flow.consent(new_address(), verified=False)
    assert answer["error"] == "invalid_request"
    assert "code" not in answer


def test_a_code_is_spent_by_any_attempt_and_needs_the_verifier(flow):
    email = new_address()
    flow.sign_in(email)
    code = flow.consent(email)["code"]
    assert flow.exchange(code, code_verifier="not-the-verifier").json() == {"error": "invalid_grant"}
    assert flow.exchange(code).json() == {"error": "invalid_grant"}


def test_a_hosted_refresh_token_refreshes_until_revoked(idp, flow):
    tokens = flow.sign_in(new_address())
    refresh = {"grant_type": "refresh_token", "client_id": flow.client_id, "refresh_token": tokens["refresh_token"]}
    refreshed = requests.post(flow.base + TOKEN, data=refresh, timeout=10)
    assert claims(refreshed.json()["id_token"])["sub"] == claims(tokens["id_token"])["sub"]
    idp.revoke_token(ClientId=flow.client_id, Token=tokens["refresh_token"])
    again = requests.post(flow.base + TOKEN, data=refresh, timeout=10)
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize("overrides", [
    {"redirect_uri": "https://evil.example/app/"},
    {"client_id": "nosuchclient"},
])
def test_an_unknown_client_or_redirect_is_never_redirected_to(flow, overrides):
    answer = flow.authorize(**overrides)
    assert answer.status_code == 400
    assert "Location" not in answer.headers


@pytest.mark.parametrize("overrides", [
    {"code_challenge_method": "plain"}, {"code_challenge": ""}, {"response_type": "token"},
    {"identity_provider": "Facebook"}, {"state": ""},
])
def test_a_request_without_pkce_or_state_goes_back_as_an_error(flow, overrides):
    answer = flow.authorize(**overrides)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_request"]


@pytest.mark.parametrize("form", [{}, {"request": "made-up", "email": "a@example.com"}])
def test_a_stale_consent_or_a_bad_grant_is_a_4xx(flow, form):
    assert requests.post(flow.base + CONSENT, data=form, allow_redirects=False, timeout=10).status_code == 400
    assert flow.exchange("made-up").status_code == 400
    assert requests.post(flow.base + TOKEN, data={"grant_type": "password"}, timeout=10).json() \
        == {"error": "unsupported_grant_type"}
