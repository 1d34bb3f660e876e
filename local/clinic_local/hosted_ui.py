"""The user pool's hosted UI for Google sign-in, served by the runner: ``/oauth2/authorize`` and
``/oauth2/token`` (authorization code with PKCE, as the page uses them in AWS) and a stand-in for
Google's consent page that signs in a chosen test identity. Its answer carries what Google's ID
token carries (``sub``, ``email``, ``email_verified``, ``name``), mapped as the template's
GoogleIdentityProvider maps it, and the federated sign-in then runs as in Cognito: the
pre-sign-up trigger links the Google identity to the native user (decision 10), the first
sign-in that links fails once with Cognito's "Already found an entry" error, and the tokens are
the native user's, through the pre-token-generation trigger (``TokenGeneration_HostedAuth``).

moto has no AdminLinkProviderForUser: the link the trigger makes is answered and kept here."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from clinic import aws
from clinic.errors import DomainError
from clinic.models.auth import normalize_email
from clinic_local import sign_in
from clinic_local import stack as local_stack
from clinic_local.cognito_api import CognitoApi, CognitoError
from clinic_tools import template

AUTHORIZE = "/oauth2/authorize"
TOKEN = "/oauth2/token"  # noqa: S105 - a path
CONSENT = "/local/google/consent"
PROVIDER = "Google"
CODE_TTL_S = 300
HOSTED_SOURCE = "TokenGeneration_HostedAuth"
Answer = tuple[int, dict[str, list[str]], bytes]


@dataclass
class _Authorization:
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    nonce: str | None
    expires: float
    email: str = ""


class HostedUi:
    def __init__(self, stack: local_stack.LocalStack, api: CognitoApi) -> None:
        self.stack, self.api = stack, api
        self._lock = threading.Lock()
        self._pending: dict[str, _Authorization] = {}  # consent handle -> request
        self._codes: dict[str, _Authorization] = {}  # authorization code -> request, signed in
        self.links: dict[str, str] = {}  # "Google_<sub>" -> the native user's username
        aws.client("cognito-idp").meta.events.register(
            "before-call.cognito-idp.AdminLinkProviderForUser", self._record_link)

    def services(self) -> dict[str, Any]:
        return {AUTHORIZE: self.authorize, TOKEN: self.token, CONSENT: self.consent}

    # --- /oauth2/authorize -------------------------------------------------------------------

    def authorize(self, method: str, query: str, headers: dict[str, str], body: bytes | None) -> Answer:
        params = dict(parse_qsl(query))
        client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
        if client_id not in self.stack.client_ids.values() or not self._allowed(redirect_uri, headers):
            return _text(400, "redirect_mismatch")  # nowhere safe to send the answer: Cognito's error page
        state = params.get("state", "")
        if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256" \
                or not params.get("code_challenge") or not state:
            return _redirect(redirect_uri, {"error": "invalid_request", "state": state})
        if params.get("identity_provider") != PROVIDER:
            return _redirect(redirect_uri, {"error": "invalid_request", "error_description": "unsupported provider",
                                            "state": state})
        handle = secrets.token_urlsafe(24)
        with self._lock:
            self._pending[handle] = _Authorization(client_id, redirect_uri, state, params["code_challenge"],
                                                   params.get("nonce"), time.time() + CODE_TTL_S)
        return _redirect(CONSENT, {"request": handle})

    def _allowed(self, redirect_uri: str, headers: dict[str, str]) -> bool:
        """The client's callback URLs, or a page route on the runner's own origin (its port varies)."""
        callbacks = str(template.parameter_defaults().get("SpaCallbackUrls", "")).split(",")
        host = next((v for k, v in headers.items() if k.lower() == "host"), "")
        own = urlsplit(redirect_uri)
        return redirect_uri in callbacks or (own.scheme == "http" and own.netloc == host
                                             and own.path.startswith("/app/"))

    # --- the stand-in for Google --------------------------------------------------------------

    def consent(self, method: str, query: str, headers: dict[str, str], body: bytes | None) -> Answer:
        if method == "GET":
            handle = dict(parse_qsl(query)).get("request", "")
            if handle not in self._pending:
                return _text(400, "this sign-in request has expired: start again from the page")
            return 200, {"Content-Type": ["text/html; charset=utf-8"]}, _consent_page(handle)
        if method != "POST":
            return _text(405, "method not allowed")
        form = dict(parse_qsl((body or b"").decode("utf-8", errors="replace")))
        with self._lock:
            request = self._pending.pop(form.get("request", ""), None)
        email = normalize_email(form.get("email", ""))
        if request is None or request.expires < time.time():
            return _text(400, "this sign-in request has expired: start again from the page")
        if email is None:
            return _redirect(request.redirect_uri, {"error": "access_denied", "state": request.state})
        google = {"sub": str(int(hashlib.sha256(email.encode()).hexdigest(), 16))[:21], "email": email,
                  "email_verified": "true" if form.get("email_verified") else "false",
                  "name": form.get("name") or email.split("@")[0]}
        return self._federated_sign_in(request, google)

    def _federated_sign_in(self, request: _Authorization, google: dict[str, str]) -> Answer:
        """Cognito's side of a Google sign-in: the linked native user, or pre-sign-up links one."""
        username = f"{PROVIDER}_{google['sub']}"
        if username not in self.links:
            attributes = {"email": google["email"], "email_verified": google["email_verified"],
                          "name": google["name"]}
            event = sign_in.trigger_event(self.stack, "PreSignUp_ExternalProvider", username,
                                   {"userAttributes": attributes, "validationData": None})
            try:
                sign_in.run_trigger("PreSignUpFunction", event)
            except DomainError as refused:
                # Cognito sends the trigger's (fixed) text back to the redirect URI.
                return _redirect(request.redirect_uri, {
                    "error_description": f"PreSignUp failed with error {refused}. ",
                    "error": "invalid_request", "state": request.state})
            # Cognito then tries to create the federated user it just linked, and fails once.
            return _redirect(request.redirect_uri, {
                "error_description": f"Already found an entry for username {username} ",
                "error": "invalid_request", "state": request.state})
        code = secrets.token_urlsafe(32)
        request.email, request.expires = google["email"], time.time() + CODE_TTL_S
        with self._lock:
            self._codes[code] = request
        return _redirect(request.redirect_uri, {"code": code, "state": request.state})

    def _record_link(self, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        call = json.loads(params["body"])
        source = call["SourceUser"]
        self.links[f"{source['ProviderName']}_{source['ProviderAttributeValue']}"] = \
            call["DestinationUser"]["ProviderAttributeValue"]
        return _Http200(), {}

    # --- /oauth2/token -------------------------------------------------------------------------

    def token(self, method: str, query: str, headers: dict[str, str], body: bytes | None) -> Answer:
        form = dict(parse_qsl((body or b"").decode("utf-8", errors="replace")))
        if method != "POST":
            return _oauth_error("invalid_request", 405)
        grant = form.get("grant_type")
        if grant == "refresh_token":
            try:
                with self._lock:
                    result = self.api.refresh(form.get("client_id", ""), form.get("refresh_token", ""))
                result = result["AuthenticationResult"]
            except CognitoError:
                return _oauth_error("invalid_grant")
            return _json(200, {"id_token": result["IdToken"], "access_token": result["AccessToken"],
                               "expires_in": result["ExpiresIn"], "token_type": "Bearer"})
        if grant != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        with self._lock:
            request = self._codes.pop(form.get("code", ""), None)  # a code is spent by any attempt
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if (request is None or request.expires < time.time() or request.client_id != form.get("client_id")
                or request.redirect_uri != form.get("redirect_uri")
                or not secrets.compare_digest(challenge, request.code_challenge)):
            return _oauth_error("invalid_grant")
        extra = {"nonce": request.nonce} if request.nonce else {}
        try:
            issued = sign_in.issue_tokens(self.stack, request.email, source=HOSTED_SOURCE, extra_claims=extra)
        except DomainError:
            return _oauth_error("invalid_grant")  # the pre-token trigger refused
        with self._lock:
            self.api.remember(issued["refreshToken"], request.client_id, issued["accessToken"])
        return _json(200, {"id_token": issued["idToken"], "access_token": issued["accessToken"],
                           "refresh_token": issued["refreshToken"], "expires_in": issued["expiresIn"],
                           "token_type": "Bearer"})


class _Http200:
    status_code = 200
    headers: dict[str, str] = {}
    content = b"{}"


def _consent_page(handle: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Google (local stand-in)</title>
</head><body><h1>Sign in with Google (local stand-in)</h1>
<p>Only <code>make dev</code> has this page: it answers as Google would for the address you choose.</p>
<form method="post" action="{CONSENT}"><input type="hidden" name="request" value="{html.escape(handle)}">
<label>Email <input name="email" type="email" required autofocus></label>
<label>Name <input name="name"></label>
<label><input type="checkbox" name="email_verified" value="true" checked> Google has verified this address</label>
<button type="submit">Continue</button></form></body></html>""".encode()


def _redirect(location: str, params: dict[str, str]) -> Answer:
    separator = "&" if "?" in location else "?"
    return 302, {"Location": [f"{location}{separator}{urlencode(params)}"]}, b""


def _text(status: int, message: str) -> Answer:
    return status, {"Content-Type": ["text/plain; charset=utf-8"]}, message.encode()


def _json(status: int, payload: dict[str, Any]) -> Answer:
    return status, {"Content-Type": ["application/json"]}, json.dumps(payload).encode()


def _oauth_error(code: str, status: int = 400) -> Answer:
    return _json(status, {"error": code})
