"""The user pool's public API (the AWS JSON protocol of ``cognito-idp``), served by the runner so
that the page, or botocore's own ``cognito-idp`` client, signs in locally exactly as against AWS.

moto runs no triggers, has no RevokeToken and accepts any software-token code, so this front does
those parts the way Cognito does and keeps moto as the store of users, groups, MFA settings,
access and refresh tokens (so a function's AdminUserGlobalSignOut against moto ends the sessions
this front issued, as in AWS):

- ``InitiateAuth`` with ``CUSTOM_AUTH`` drives the sign-in triggers (``clinic_local.sign_in``) in
  Cognito's order, for known and unknown addresses alike (PreventUserExistenceErrors); with
  ``REFRESH_TOKEN_AUTH`` it refreshes through moto, refusing revoked tokens, and applies the
  pre-token-generation trigger as a refresh.
- ``RespondToAuthChallenge`` answers ``CUSTOM_CHALLENGE`` and then, for a user with TOTP turned
  on, ``SOFTWARE_TOKEN_MFA`` (Cognito's behaviour with the pool's MFA set to OPTIONAL). A session
  is single use and lives 3 minutes, as Cognito's.
- ``SignUp`` (the link in ClientMetadata), ``RevokeToken``, ``GlobalSignOut``,
  ``AssociateSoftwareToken``, ``VerifySoftwareToken``, ``SetUserMFAPreference``.

Every refusal is one of Cognito's error types (HTTP 400, ``__type``) with fixed text: never a 500,
never the address, and the same error whether or not the address has an account.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from botocore.exceptions import ClientError

from clinic.errors import DomainError
from clinic.models.auth import normalize_email
from clinic.services.sign_in import CHALLENGE, LINK_METADATA_KEY
from clinic_local import sign_in, tokens, totp
from clinic_local import stack as local_stack

PATH = "/cognito-idp/"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
SESSION_TTL_S = 180
MFA_CHALLENGE = "SOFTWARE_TOKEN_MFA"
ACCESS_USE = "access"
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
WRONG_ANSWER = "Incorrect username or password."
BAD_SESSION = "Invalid session for the user."
Answer = tuple[int, dict[str, list[str]], bytes]


class CognitoError(Exception):
    """One of Cognito's own error types, answered as the AWS JSON protocol does."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message


def _refused(message: str = WRONG_ANSWER) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def _invalid(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


@dataclass
class _Session:
    client_id: str
    challenge: str
    username: str | None  # moto's username; None for an address without an account
    email: str
    expires: float
    rounds: list[dict[str, Any]] = field(default_factory=list)  # Define's session so far
    private: dict[str, Any] = field(default_factory=dict)  # Create's privateChallengeParameters


class CognitoApi:
    """One user pool's public API over moto and the sign-in triggers. Calls arrive one at a
    time (the gateway's invocation lock); the lock here keeps the maps consistent regardless."""

    def __init__(self, stack: local_stack.LocalStack) -> None:
        self.stack = stack
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._refresh_origins: dict[str, tuple[str, str, str]] = {}  # refresh token -> client, origin_jti, username
        self._revoked_origins: set[str] = set()
        self._pending_secrets: dict[str, str] = {}  # username -> secret awaiting VerifySoftwareToken
        self._secrets: dict[str, str] = {}  # username -> verified TOTP secret
        # moto matches AdminUserGlobalSignOut against the name a session signed in with (the
        # address here), not the user: the runner records the sign-out and applies it itself.
        sign_in.idp().meta.events.register("before-call.cognito-idp.AdminUserGlobalSignOut", self._record_sign_out)
        for account in stack.accounts:  # the seeded accounts that have an authenticator app
            if account.get("totpSecret"):
                user = sign_in.idp().admin_get_user(UserPoolId=stack.user_pool_id, Username=account["email"])
                self._secrets[user["Username"]] = account["totpSecret"]

    # --- the protocol -------------------------------------------------------------------------

    def handle(self, method: str, query: str, headers: dict[str, str], body: bytes | None) -> Answer:
        target = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), "")
        operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else ""
        handler = getattr(self, f"op_{operation}", None) if operation.isalpha() else None
        try:
            if method != "POST" or handler is None:
                raise CognitoError("UnknownOperationException", "Unknown operation")
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                raise CognitoError("SerializationException", "Malformed request body") from None
            if not isinstance(request, dict):
                raise CognitoError("SerializationException", "Malformed request body")
            with self._lock:
                result = handler(request)
        except CognitoError as error:
            return 400, {"Content-Type": [CONTENT_TYPE], "x-amzn-ErrorType": [error.type_name]}, json.dumps(
                {"__type": error.type_name, "message": error.message}).encode()
        return 200, {"Content-Type": [CONTENT_TYPE]}, json.dumps(result).encode()

    # --- operations ---------------------------------------------------------------------------

    def op_InitiateAuth(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - the operation's name
        client_id = self._client(request)
        flow = request.get("AuthFlow")
        parameters = _strings(request.get("AuthParameters"), "AuthParameters")
        if flow in REFRESH_FLOWS:
            return self.refresh(client_id, parameters.get("REFRESH_TOKEN", ""))
        if flow != "CUSTOM_AUTH":
            raise _invalid(f"{flow if isinstance(flow, str) else 'This'} flow not enabled for this client")
        email = normalize_email(parameters.get("USERNAME", ""))
        if email is None:
            # Cognito answers an impossible username as it answers a wrong one.
            raise _refused()
        user = sign_in.native_user(self.stack, email)
        session = _Session(client_id, CHALLENGE, user["Username"] if user else None, email,
                           time.time() + SESSION_TTL_S)
        return self._next_challenge(session, parameters.get("USERNAME", email))

    def op_RespondToAuthChallenge(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        client_id = self._client(request)
        responses = _strings(request.get("ChallengeResponses"), "ChallengeResponses")
        session = self._sessions.pop(str(request.get("Session") or ""), None)
        if (session is None or session.expires < time.time() or session.client_id != client_id
                or session.challenge != request.get("ChallengeName")):
            raise _refused(BAD_SESSION)
        if session.challenge == MFA_CHALLENGE:
            secret = self._secrets.get(session.username or "")
            if secret is None or not totp.is_valid(secret, responses.get("SOFTWARE_TOKEN_MFA_CODE")):
                raise CognitoError("CodeMismatchException", "Invalid code received for user")
            return self._tokens(session)
        verified = sign_in.verify_answer(self.stack, session.username, session.email, session.private,
                                         responses.get("ANSWER", ""))
        session.rounds.append({"challengeName": session.challenge, "challengeResult": verified,
                               "challengeMetadata": session.private.get("challengeMetadata")})
        return self._next_challenge(session, responses.get("USERNAME", session.email))

    def op_SignUp(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._client(request)
        email = normalize_email(request.get("Username") or "")
        metadata = _strings(request.get("ClientMetadata"), "ClientMetadata")
        if email is None or not isinstance(request.get("Password"), str):
            raise _invalid("Username and Password are required")
        try:
            user = sign_in.sign_up(self.stack, email, metadata.get(LINK_METADATA_KEY, ""))
        except sign_in.LinkRefused:
            # What Cognito answers when pre-sign-up refuses (the trigger's fixed text).
            raise CognitoError("UserLambdaValidationException",
                               "PreSignUp failed with error sign up with the link we email you.") from None
        sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
        return {"UserConfirmed": True, "UserSub": sub}

    def op_RevokeToken(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        client_id = self._client(request)
        token = request.get("Token")
        if not isinstance(token, str) or not token:
            raise _invalid("Token is required")
        if token.count(".") == 2:  # a JWT: only refresh tokens can be revoked
            raise CognitoError("UnsupportedTokenTypeException", "Unsupported token type")
        found = self._refresh_origins.get(token)
        if found is not None:
            if found[0] != client_id:
                raise CognitoError("UnauthorizedException", "Token was not issued to this client")
            self._revoked_origins.add(found[1])
        # An unknown or already revoked token is not an error (RFC 7009, as Cognito).
        return {}

    def op_GlobalSignOut(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        token = self._access_token(request)
        self._moto(lambda idp: idp.global_sign_out(AccessToken=token))
        return {}

    def op_AssociateSoftwareToken(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        if request.get("Session"):
            raise _refused(BAD_SESSION)  # only signed-in users set up TOTP here (no MFA_SETUP challenge)
        username = self._username(self._access_token(request))
        secret = totp.new_secret()
        self._pending_secrets[username] = secret
        return {"SecretCode": secret}

    def op_VerifySoftwareToken(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        token = self._access_token(request)
        username = self._username(token)
        secret = self._pending_secrets.get(username)
        if secret is None:
            raise _invalid("Associate a software token first")
        if not totp.is_valid(secret, request.get("UserCode")):
            raise CognitoError("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
        # moto records the verified token (it checks no code); the secret stays here.
        self._moto(lambda idp: idp.associate_software_token(AccessToken=token))
        self._moto(lambda idp: idp.verify_software_token(AccessToken=token, UserCode="000000"))
        self._secrets[username] = self._pending_secrets.pop(username)
        return {"Status": "SUCCESS"}

    def op_SetUserMFAPreference(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        token = self._access_token(request)
        settings = request.get("SoftwareTokenMfaSettings")
        if not isinstance(settings, dict) or not all(isinstance(v, bool) for v in settings.values()):
            raise _invalid("SoftwareTokenMfaSettings must hold Enabled and PreferredMfa as booleans")
        if settings.get("Enabled") and self._username(token) not in self._secrets:
            raise _invalid("User has not verified software token mfa")
        self._moto(lambda idp: idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings=settings))
        return {}

    # --- steps ---------------------------------------------------------------------------------

    def _next_challenge(self, session: _Session, username: str) -> dict[str, Any]:
        """Ask Define what comes next: another custom challenge, tokens (or the MFA step), or failure."""
        decided = sign_in.define(self.stack, session.username, session.email, session.rounds)
        if decided.get("challengeName") == CHALLENGE and not decided.get("issueTokens"):
            created = sign_in.create_challenge(self.stack, session.username, session.email, session.rounds)
            session.challenge, session.private = CHALLENGE, created
            return self._challenge(session, {"USERNAME": username, **created.get("publicChallengeParameters", {})})
        if not decided.get("issueTokens") or decided.get("failAuthentication") or session.username is None:
            raise _refused()
        if self._has_totp(session.username):
            session.challenge = MFA_CHALLENGE
            return self._challenge(session, {"USERNAME": username})
        return self._tokens(session)

    def _challenge(self, session: _Session, parameters: dict[str, Any]) -> dict[str, Any]:
        handle = secrets.token_urlsafe(48)
        session.expires = time.time() + SESSION_TTL_S
        self._sessions[handle] = session
        return {"ChallengeName": session.challenge, "Session": handle, "ChallengeParameters": parameters}

    def _tokens(self, session: _Session) -> dict[str, Any]:
        issued = sign_in.issue_tokens(self.stack, session.email)
        self.remember(issued["refreshToken"], session.client_id, issued["accessToken"])
        return {"ChallengeParameters": {}, "AuthenticationResult": {
            "IdToken": issued["idToken"], "AccessToken": issued["accessToken"],
            "RefreshToken": issued["refreshToken"], "ExpiresIn": issued["expiresIn"], "TokenType": "Bearer"}}

    def refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        found = self._refresh_origins.get(refresh_token)
        if found is None or found[0] != client_id or found[1] in self._revoked_origins:
            raise _refused("Refresh Token has been revoked" if found else "Invalid Refresh Token")
        result = self._moto(lambda idp: idp.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}))
        issued = result["AuthenticationResult"]
        claims = jwt.decode(issued["AccessToken"], options={"verify_signature": False})
        user = self._moto(lambda idp: idp.admin_get_user(UserPoolId=self.stack.user_pool_id,
                                                         Username=claims["username"]))
        if not user.get("Enabled", True):
            raise _refused("User is disabled.")
        email = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "email")
        try:
            id_token = sign_in.with_role_claim(self.stack, issued["IdToken"], email=email,
                                               source=sign_in.REFRESH_SOURCE)
        except DomainError:
            raise _refused() from None
        return {"ChallengeParameters": {}, "AuthenticationResult": {
            "IdToken": id_token, "AccessToken": issued["AccessToken"], "ExpiresIn": issued["ExpiresIn"],
            "TokenType": "Bearer"}}

    # --- helpers -------------------------------------------------------------------------------

    def remember(self, refresh_token: str, client_id: str, access_token: str) -> None:
        origin = jwt.decode(access_token, options={"verify_signature": False})["origin_jti"]
        username = sign_in.idp().get_user(AccessToken=access_token)["Username"]
        self._refresh_origins[refresh_token] = (client_id, str(origin), str(username))

    def _record_sign_out(self, params: dict[str, Any], **_: Any) -> None:
        username = json.loads(params["body"])["Username"]
        self._revoked_origins.update(origin for _, origin, user in self._refresh_origins.values() if user == username)

    def _client(self, request: dict[str, Any]) -> str:
        client_id = request.get("ClientId")
        if not isinstance(client_id, str) or client_id not in self.stack.client_ids.values():
            raise CognitoError("ResourceNotFoundException", "User pool client does not exist.")
        return client_id

    def _access_token(self, request: dict[str, Any]) -> str:
        """A live access token of this pool: signed by it, not expired, not revoked, not signed out."""
        token = request.get("AccessToken")
        if not isinstance(token, str):
            raise _invalid("AccessToken is required")
        _, key = tokens.moto_signing_key()
        try:
            claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], issuer=self.stack.issuer,
                                options={"require": ["exp", "origin_jti", "token_use"]})
        except jwt.PyJWTError:
            raise _refused("Invalid Access Token") from None
        if claims["token_use"] != ACCESS_USE or claims["origin_jti"] in self._revoked_origins:
            raise _refused("Access Token has been revoked")
        # moto forgets an access token at GlobalSignOut (AdminUserGlobalSignOut: _record_sign_out).
        self._moto(lambda idp: idp.get_user(AccessToken=token))
        return token

    def _username(self, access_token: str) -> str:
        return str(jwt.decode(access_token, options={"verify_signature": False})["username"])

    def _has_totp(self, username: str) -> bool:
        user = self._moto(lambda idp: idp.admin_get_user(UserPoolId=self.stack.user_pool_id, Username=username))
        return "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or []) and username in self._secrets

    def _moto(self, call: Any) -> Any:
        """A call to moto; its refusals become Cognito's (a user gone is a refused token, not a 404)."""
        try:
            return call(sign_in.idp())
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("UserNotFoundException", "NotAuthorizedException", "ResourceNotFoundException"):
                raise _refused("Access Token has been revoked") from None
            raise CognitoError("InvalidParameterException", "Invalid request") from None


def _strings(value: Any, name: str) -> dict[str, str]:
    """A map of strings (AuthParameters, ChallengeResponses, ClientMetadata), or Cognito's refusal."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise _invalid(f"{name} must map strings to strings")
    return value
