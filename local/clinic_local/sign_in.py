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
from clinic_local import template, tokens
from clinic_local.gateway import LambdaContext

Event = dict[str, Any]

REFUSED = "the sign-in link is invalid, used or expired"


class LinkRefused(Exception):
    def __init__(self) -> None:
        super().__init__(REFUSED)


def _event(stack: local_stack.LocalStack, source: str, username: str, request: dict[str, Any]) -> Event:
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


def _trigger(logical_id: str, event: Event) -> Event:
    handler = template.load_handler(logical_id)
    return dict(handler(event, LambdaContext(logical_id)))


def _idp(stack: local_stack.LocalStack) -> Any:
    # The functions' own client: this runs where they run, with AWS_ENDPOINT_URL at moto.
    return aws.client("cognito-idp")


def _attributes(user: dict[str, Any]) -> dict[str, str]:
    raw = user.get("UserAttributes", user.get("Attributes", []))
    attributes = {a["Name"]: a["Value"] for a in raw}
    attributes["cognito:user_status"] = user.get("UserStatus", "CONFIRMED")
    return attributes


def _password() -> str:
    return "Local-1a" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def _native_user(stack: local_stack.LocalStack, email: str) -> dict[str, Any] | None:
    found = _idp(stack).list_users(UserPoolId=stack.user_pool_id, Filter=f'email = "{email}"')["Users"]
    return next((u for u in found if u.get("UserStatus") != "EXTERNAL_PROVIDER"), None)


def _sign_up(stack: local_stack.LocalStack, email: str, token: str) -> dict[str, Any]:
    """SignUp with the link in ClientMetadata: pre-sign-up decides, post-confirmation follows."""
    request = {"userAttributes": {"email": email}, "validationData": None, "clientMetadata": {LINK_METADATA_KEY: token}}
    try:
        decided = _trigger("PreSignUpFunction", _event(stack, "PreSignUp_SignUp", email, request))
    except DomainError:
        raise LinkRefused() from None
    if not decided["response"].get("autoConfirmUser"):
        raise LinkRefused()
    idp = _idp(stack)
    idp.sign_up(ClientId=stack.client_id, Username=email, Password=_password(),
                UserAttributes=[{"Name": "email", "Value": email}])
    idp.admin_confirm_sign_up(UserPoolId=stack.user_pool_id, Username=email)
    if decided["response"].get("autoVerifyEmail"):
        idp.admin_update_user_attributes(UserPoolId=stack.user_pool_id, Username=email,
                                         UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    user = idp.admin_get_user(UserPoolId=stack.user_pool_id, Username=email)
    _trigger("PostConfirmationFunction", _event(stack, "PostConfirmation_ConfirmSignUp", user["Username"], {
        "userAttributes": _attributes(user), "clientMetadata": {LINK_METADATA_KEY: token}}))
    return dict(user)


def complete_email_link(stack: local_stack.LocalStack, email: str, token: str) -> dict[str, Any]:
    """Sign in (signing up a new address) with an email link; the tokens, or LinkRefused."""
    normalized = normalize_email(email) if isinstance(email, str) else None
    if normalized is None or not isinstance(token, str):
        raise LinkRefused()
    user = _native_user(stack, normalized) or _sign_up(stack, normalized, token)
    username, attributes = user["Username"], _attributes(user)
    base = {"userAttributes": attributes, "userNotFound": False}
    first = _trigger("DefineAuthChallengeFunction", _event(stack, "DefineAuthChallenge_Authentication", username,
                                                           {**base, "session": []}))
    if first["response"].get("challengeName") != CHALLENGE:
        raise LinkRefused()
    created = _trigger("CreateAuthChallengeFunction", _event(stack, "CreateAuthChallenge_Authentication", username,
                                                             {**base, "challengeName": CHALLENGE, "session": []}))
    verified = _trigger("VerifyAuthChallengeFunction", _event(
        stack, "VerifyAuthChallengeResponse_Authentication", username,
        {**base, "privateChallengeParameters": created["response"]["privateChallengeParameters"],
         "challengeAnswer": token}))
    session = [{"challengeName": CHALLENGE, "challengeResult": verified["response"]["answerCorrect"] is True,
                "challengeMetadata": created["response"].get("challengeMetadata")}]
    second = _trigger("DefineAuthChallengeFunction", _event(stack, "DefineAuthChallenge_Authentication", username,
                                                            {**base, "session": session}))
    if not second["response"].get("issueTokens") or second["response"].get("failAuthentication"):
        raise LinkRefused()
    return issue_tokens(stack, normalized)


def issue_tokens(stack: local_stack.LocalStack, email: str) -> dict[str, Any]:
    """Tokens for the user with this email through moto's admin flow, with the pre-token-generation
    trigger applied to the ID token. A demo account keeps its recorded password (so `make token`
    keeps working after a link sign-in); anyone else gets a fresh throwaway one each time. (moto
    writes the USERNAME it was given into the email claim, so it must be the email.)"""
    idp = _idp(stack)
    demo = next((a for a in stack.accounts if a["email"].lower() == email.lower()), None)
    password = demo["password"] if demo else _password()
    if demo is None:
        idp.admin_set_user_password(UserPoolId=stack.user_pool_id, Username=email, Password=password, Permanent=True)
    result = idp.admin_initiate_auth(UserPoolId=stack.user_pool_id, ClientId=stack.client_id,
                                     AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": email, "PASSWORD": password})["AuthenticationResult"]
    return {"idToken": with_role_claim(stack, result["IdToken"]), "accessToken": result["AccessToken"],
            "refreshToken": result.get("RefreshToken"), "expiresIn": result["ExpiresIn"]}


def with_role_claim(stack: local_stack.LocalStack, id_token: str) -> str:
    """The ID token as Cognito would issue it with the pre-token-generation trigger (V1_0)."""
    claims = jwt.decode(id_token, options={"verify_signature": False})
    idp = _idp(stack)
    user = idp.admin_get_user(UserPoolId=stack.user_pool_id, Username=claims["email"])
    groups = [g["GroupName"] for g in idp.admin_list_groups_for_user(
        UserPoolId=stack.user_pool_id, Username=user["Username"])["Groups"]]
    request = {"userAttributes": _attributes(user), "clientMetadata": {},
               "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None}}
    decided = _trigger("PreTokenGenerationFunction", _event(stack, "TokenGeneration_Authentication",
                                                            user["Username"], request))
    details = decided["response"].get("claimsOverrideDetails") or {}
    claims.update(details.get("claimsToAddOrOverride") or {})
    for name in details.get("claimsToSuppress") or []:
        claims.pop(name, None)
    return tokens.reissue(claims)
