"""The user pool's sign-in triggers, hosted by the local runner.

moto accepts the CUSTOM_AUTH flow but runs no Lambda triggers, so the runner does what Cognito
does: it calls the same trigger handlers (template.yaml's functions) with events of Cognito's
shape, in Cognito's order, and issues tokens through moto's admin flow only when the triggers
say so. The decisions stay in ``clinic.services.sign_in``: one implementation, two hosts.

- ``complete_email_link``: what the dashboard does with a link (SignUp for a new address, then
  CUSTOM_AUTH answering the challenge with the link's secret), as one call.
- ``with_role_claim``: what the pre-token-generation trigger does to an ID token, applied to
  moto's token and re-signed with moto's key (so the local authorizer accepts it).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

import jwt

from clinic import aws
from clinic.errors import DomainError
from clinic.models.auth import normalize_email
from clinic.services.sign_in import CHALLENGE, LINK_METADATA_KEY
from clinic_local import stack as local_stack
from clinic_local import tokens
from clinic_local.gateway import LambdaContext
from clinic_tools import handlers

Event = dict[str, Any]

REFUSED = "the sign-in link is invalid, used or expired"
# The pre-token-generation trigger's sources: a sign-in through the API, and a refresh.
SIGN_IN_SOURCE = "TokenGeneration_Authentication"
REFRESH_SOURCE = "TokenGeneration_RefreshTokens"


class LinkRefused(Exception):
    def __init__(self) -> None:
        super().__init__(REFUSED)


def trigger_event(stack: local_stack.LocalStack, source: str, username: str, request: dict[str, Any]) -> Event:
    return {
        "version": "1",
        "region": stack.region,
        "userPoolId": stack.user_pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": stack.client_id},
        "triggerSource": source,
        "request": request,
        "response": {},
    }


def run_trigger(logical_id: str, event: Event) -> Event:
    handler = handlers.load_handler(logical_id)
    return dict(handler(event, LambdaContext(logical_id)))


def idp() -> Any:
    # The functions' own client: this runs where they run, with AWS_ENDPOINT_URL at moto.
    return aws.client("cognito-idp")


def _attributes(user: dict[str, Any]) -> dict[str, str]:
    raw = user.get("UserAttributes", user.get("Attributes", []))
    attributes = {a["Name"]: a["Value"] for a in raw}
    attributes["cognito:user_status"] = user.get("UserStatus", "CONFIRMED")
    return attributes


def _password() -> str:
    return "Local-1a" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def native_user(stack: local_stack.LocalStack, email: str) -> dict[str, Any] | None:
    found = idp().list_users(UserPoolId=stack.user_pool_id, Filter=f'email = "{email}"')["Users"]
    return next((u for u in found if u.get("UserStatus") != "EXTERNAL_PROVIDER"), None)


def sign_up(stack: local_stack.LocalStack, email: str, token: str) -> dict[str, Any]:
    """SignUp with the link in ClientMetadata: pre-sign-up decides, post-confirmation follows.
    An address that has an account already is refused the same way as a dead link."""
    request = {"userAttributes": {"email": email}, "validationData": None, "clientMetadata": {LINK_METADATA_KEY: token}}
    try:
        decided = run_trigger("PreSignUpFunction", trigger_event(stack, "PreSignUp_SignUp", email, request))
    except DomainError:
        raise LinkRefused() from None
    if not decided["response"].get("autoConfirmUser") or native_user(stack, email) is not None:
        raise LinkRefused()
    client = idp()
    client.sign_up(ClientId=stack.client_id, Username=email, Password=_password(),
                   UserAttributes=[{"Name": "email", "Value": email}])
    client.admin_confirm_sign_up(UserPoolId=stack.user_pool_id, Username=email)
    if decided["response"].get("autoVerifyEmail"):
        client.admin_update_user_attributes(UserPoolId=stack.user_pool_id, Username=email,
                                            UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    user = client.admin_get_user(UserPoolId=stack.user_pool_id, Username=email)
    run_trigger("PostConfirmationFunction", trigger_event(stack, "PostConfirmation_ConfirmSignUp", user["Username"], {
        "userAttributes": _attributes(user), "clientMetadata": {LINK_METADATA_KEY: token}}))
    return dict(user)


def _base(stack: local_stack.LocalStack, username: str | None, email: str) -> tuple[str, dict[str, Any]]:
    """The trigger events' user part; an address without an account goes through the same steps
    with ``userNotFound`` (PreventUserExistenceErrors)."""
    if username is None:
        return email, {"userAttributes": {}, "userNotFound": True}
    user = idp().admin_get_user(UserPoolId=stack.user_pool_id, Username=username)
    return username, {"userAttributes": _attributes(user), "userNotFound": False}


def define(stack: local_stack.LocalStack, username: str | None, email: str,
           rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Define Auth Challenge's response for the session so far."""
    name, base = _base(stack, username, email)
    event = trigger_event(stack, "DefineAuthChallenge_Authentication", name, {**base, "session": rounds})
    decided = run_trigger("DefineAuthChallengeFunction", event)
    return dict(decided["response"])


def create_challenge(stack: local_stack.LocalStack, username: str | None, email: str,
                     rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Create Auth Challenge's response (public and private parameters, metadata)."""
    name, base = _base(stack, username, email)
    event = trigger_event(stack, "CreateAuthChallenge_Authentication", name,
                          {**base, "challengeName": CHALLENGE, "session": rounds})
    created = run_trigger("CreateAuthChallengeFunction", event)
    return dict(created["response"])


def verify_answer(stack: local_stack.LocalStack, username: str | None, email: str, created: dict[str, Any],
                  answer: str) -> bool:
    """Verify Auth Challenge Response's verdict on an answer."""
    name, base = _base(stack, username, email)
    if not username:
        base["userAttributes"] = {"email": email}
    verified = run_trigger("VerifyAuthChallengeFunction", trigger_event(
        stack, "VerifyAuthChallengeResponse_Authentication", name,
        {**base, "privateChallengeParameters": created.get("privateChallengeParameters") or {},
         "challengeAnswer": answer}))
    return verified["response"].get("answerCorrect") is True


def complete_email_link(stack: local_stack.LocalStack, email: str, token: str) -> dict[str, Any]:
    """Sign in (signing up a new address) with an email link; the tokens, or LinkRefused."""
    normalized = normalize_email(email) if isinstance(email, str) else None
    if normalized is None or not isinstance(token, str):
        raise LinkRefused()
    user = native_user(stack, normalized) or sign_up(stack, normalized, token)
    username = user["Username"]
    if define(stack, username, normalized, []).get("challengeName") != CHALLENGE:
        raise LinkRefused()
    created = create_challenge(stack, username, normalized, [])
    correct = verify_answer(stack, username, normalized, created, token)
    session = [{"challengeName": CHALLENGE, "challengeResult": correct,
                "challengeMetadata": created.get("challengeMetadata")}]
    second = define(stack, username, normalized, session)
    if not second.get("issueTokens") or second.get("failAuthentication"):
        raise LinkRefused()
    return issue_tokens(stack, normalized)


def issue_tokens(stack: local_stack.LocalStack, email: str, *, source: str = SIGN_IN_SOURCE,
                 extra_claims: dict[str, Any] | None = None) -> dict[str, Any]:
    """Tokens for the user with this email through moto's admin flow, with the pre-token-generation
    trigger applied to the ID token. A demo account keeps its recorded password (so `make token`
    keeps working after a link sign-in); anyone else gets a fresh throwaway one each time. (moto
    writes the USERNAME it was given into the email claim, so it must be the email.)"""
    client = idp()
    demo = next((a for a in stack.accounts if a["email"].lower() == email.lower()), None)
    password = demo["password"] if demo else _password()
    if demo is None:
        client.admin_set_user_password(UserPoolId=stack.user_pool_id, Username=email, Password=password, Permanent=True)
    started = client.admin_initiate_auth(
        UserPoolId=stack.user_pool_id, ClientId=stack.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password})
    if started.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
        # The caller has checked the code already (clinic_local.cognito_api); moto checks none.
        started = client.admin_respond_to_auth_challenge(
            UserPoolId=stack.user_pool_id, ClientId=stack.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=started["Session"], ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": "000000"})
    result = started["AuthenticationResult"]
    id_token = with_role_claim(stack, result["IdToken"], source=source, extra_claims=extra_claims)
    return {"idToken": id_token, "accessToken": result["AccessToken"],
            "refreshToken": result.get("RefreshToken"), "expiresIn": result["ExpiresIn"]}


def with_role_claim(stack: local_stack.LocalStack, id_token: str, *, email: str | None = None,
                    source: str = SIGN_IN_SOURCE, extra_claims: dict[str, Any] | None = None) -> str:
    """The ID token as Cognito would issue it with the pre-token-generation trigger (V1_0): its
    claims added or suppressed, its groups overridden. The trigger may refuse (DomainError)."""
    claims = {**jwt.decode(id_token, options={"verify_signature": False}), **(extra_claims or {})}
    client = idp()
    user = client.admin_get_user(UserPoolId=stack.user_pool_id, Username=email or claims["email"])
    groups = [g["GroupName"] for g in client.admin_list_groups_for_user(
        UserPoolId=stack.user_pool_id, Username=user["Username"])["Groups"]]
    request = {"userAttributes": _attributes(user), "clientMetadata": {},
               "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None}}
    decided = run_trigger("PreTokenGenerationFunction", trigger_event(stack, source, user["Username"], request))
    details = decided["response"].get("claimsOverrideDetails") or {}
    claims.update(details.get("claimsToAddOrOverride") or {})
    for name in details.get("claimsToSuppress") or []:
        claims.pop(name, None)
    overridden = (details.get("groupOverrideDetails") or {}).get("groupsToOverride")
    if overridden is not None:
        if overridden:
            claims["cognito:groups"] = list(overridden)
        else:
            claims.pop("cognito:groups", None)
    return tokens.reissue(claims)
