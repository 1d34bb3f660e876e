"""What the user pool's Lambda triggers decide. Each function takes the trigger's event (the
shapes are in events/cognito/) and returns it with its ``response`` filled in, as Cognito expects.
The same functions run in AWS (Cognito invokes the triggers) and locally (the runner drives them,
because moto runs no triggers): one implementation, two hosts.

Email link (custom authentication): the client starts CUSTOM_AUTH with the address as USERNAME
and answers the one CUSTOM_CHALLENGE with the link's secret. Define asks for that one challenge
and issues tokens only after a correct answer; Verify consumes the link. An unknown address goes
through the same steps (Cognito's PreventUserExistenceErrors) and always fails.

One account per person: the native user (username = email) is the account. A Google sign-in for
an address with no native user creates one; either way the Google identity is linked to it, so
its tokens carry the native user's sub. A new address signs up with its link: SignUp passes the
link in ClientMetadata and pre-sign-up confirms the user only if the link is live for that address.
"""

from __future__ import annotations

from typing import Any

from clinic import cognito
from clinic.errors import DomainError
from clinic.identity import ADMIN_GROUP
from clinic.models.auth import normalize_email
from clinic.models.users import Role
from clinic.observability import metrics
from clinic.services import audit, email_links, users

Event = dict[str, Any]

CHALLENGE = "CUSTOM_CHALLENGE"
METHOD = "EMAIL_LINK"
LINK_METADATA_KEY = "emailLinkToken"
ROLE_CLAIM = "role"
# Identity providers configured in the template, by the prefix Cognito gives their usernames
# ("Google_1234..."; some clients send it lower case).
PROVIDERS = {"google": "Google"}


class SignInRefused(DomainError):
    """A trigger refuses the operation. Cognito shows the message to the client: fixed text only."""

    code = "forbidden"


def _request(event: Event) -> dict[str, Any]:
    return event.get("request") or {}


def _attributes(event: Event) -> dict[str, Any]:
    return _request(event).get("userAttributes") or {}


def _email(event: Event) -> str | None:
    raw = _attributes(event).get("email") or event.get("userName")
    return normalize_email(raw) if isinstance(raw, str) else None


# --- custom authentication: the email link ------------------------------------------------------


def define_auth_challenge(event: Event) -> Event:
    request = _request(event)
    session = request.get("session") or []
    response = event.setdefault("response", {})
    response.update({"issueTokens": False, "failAuthentication": False})
    if not session:
        response["challengeName"] = CHALLENGE
    elif (len(session) == 1 and session[0].get("challengeName") == CHALLENGE
          and session[0].get("challengeResult") is True and not request.get("userNotFound")):
        response["issueTokens"] = True
    else:
        # A password step, a wrong link or any second attempt: a link is right or it is not.
        response["failAuthentication"] = True
    return event


def create_auth_challenge(event: Event) -> Event:
    if _request(event).get("challengeName") != CHALLENGE:
        raise SignInRefused("unsupported sign-in challenge")
    # Nothing secret here: the answer is checked against the stored link, not against these.
    event.setdefault("response", {}).update({
        "publicChallengeParameters": {"method": METHOD},
        "privateChallengeParameters": {"method": METHOD},
        "challengeMetadata": METHOD,
    })
    return event


def verify_auth_challenge(event: Event) -> Event:
    request = _request(event)
    email = _email(event) or ""
    answer = request.get("challengeAnswer") or ""
    if request.get("userNotFound"):
        # The same kind of work as a real attempt (one read), and never a success.
        email_links.is_live(email, answer)
        correct = False
    else:
        correct = email_links.redeem(email, answer)
    metrics.add_metric(name="EmailLinkAccepted" if correct else "EmailLinkRefused", unit="Count", value=1)
    event.setdefault("response", {})["answerCorrect"] = correct
    return event


# --- sign-up and federation -----------------------------------------------------------------------


def _is_verified(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _link_federated(event: Event) -> None:
    provider_prefix, _, provider_user_id = str(event.get("userName", "")).partition("_")
    provider = PROVIDERS.get(provider_prefix.lower())
    attributes = _attributes(event)
    email = _email(event)
    if provider is None or not provider_user_id or email is None:
        raise SignInRefused("this sign-in method is not available")
    if not _is_verified(attributes.get("email_verified")):
        # Linking on an unverified address would hand someone else's account to its claimant.
        raise SignInRefused("your provider has not verified this email address")
    pool_id = event["userPoolId"]
    name = attributes.get("name") if isinstance(attributes.get("name"), str) else None
    native = cognito.native_user_by_email(pool_id, email)
    if native is None:
        native = cognito.create_native_user(pool_id, email, name)
    elif not native.email_verified:
        raise SignInRefused("sign in with your email link first")
    cognito.link_provider(pool_id, native.username, provider, provider_user_id)
    users.create_profile(native.sub, email, name=name)
    metrics.add_metric(name="FederatedIdentityLinked", unit="Count", value=1)


def pre_sign_up(event: Event) -> Event:
    source = event.get("triggerSource")
    response = event.setdefault("response", {})
    if source == "PreSignUp_ExternalProvider":
        _link_federated(event)
    elif source == "PreSignUp_SignUp":
        request = _request(event)
        metadata = request.get("clientMetadata") or request.get("validationData") or {}
        email = _email(event)
        if email is None or not email_links.is_live(email, metadata.get(LINK_METADATA_KEY) or ""):
            raise SignInRefused("sign up with the link we email you")
        response.update({"autoConfirmUser": True, "autoVerifyEmail": True})
    elif source != "PreSignUp_AdminCreateUser":
        raise SignInRefused("this sign-up method is not available")
    return event


def post_confirmation(event: Event) -> Event:
    attributes = _attributes(event)
    email = _email(event)
    if (event.get("triggerSource") == "PostConfirmation_ConfirmSignUp" and email
            and attributes.get("cognito:user_status") != cognito.EXTERNAL_STATUS and attributes.get("sub")):
        name = attributes.get("name") if isinstance(attributes.get("name"), str) else None
        users.create_profile(str(attributes["sub"]), email, name=name)
    event.setdefault("response", {})
    return event


# --- tokens ----------------------------------------------------------------------------------------


# Token issues that are not a sign-in: a refresh of an existing session.
NOT_A_SIGN_IN = frozenset({"TokenGeneration_RefreshTokens"})
# Sign-ins through the hosted UI (Google): Cognito asks no second factor there.
HOSTED_SIGN_IN = "TokenGeneration_HostedAuth"


def _staff_groups(event: Event, groups: list[str], source: str) -> list[str]:
    """The groups an admin's token may carry: ``admin`` only with an authenticator app turned on
    (Cognito then asked for its code at this sign-in); staff never sign in through Google."""
    if source == HOSTED_SIGN_IN:
        raise SignInRefused("staff sign in with their email link and authenticator app")
    if cognito.has_totp(str(event["userPoolId"]), str(event["userName"])):
        return groups
    # Signed in, but not as staff yet: enough to turn the authenticator app on, then sign in again.
    return [g for g in groups if g != ADMIN_GROUP]


def pre_token_generation(event: Event) -> Event:
    """V1_0 event (ID token): the ``role`` claim from the ``admin`` group, on every issue and
    refresh; the ``admin`` group only for staff who passed their second factor."""
    groups = list((_request(event).get("groupConfiguration") or {}).get("groupsToOverride") or [])
    source = str(event.get("triggerSource") or "")
    details: dict[str, Any] = {}
    if ADMIN_GROUP in groups:
        allowed = _staff_groups(event, groups, source)
        if allowed != groups:
            details["groupOverrideDetails"] = {"groupsToOverride": allowed}
            groups = allowed
    role = Role.ADMIN if ADMIN_GROUP in groups else Role.PATIENT
    event["response"] = {"claimsOverrideDetails": {"claimsToAddOrOverride": {ROLE_CLAIM: role.value}, **details}}
    subject = str((_request(event).get("userAttributes") or {}).get("sub") or "")
    if source not in NOT_A_SIGN_IN and subject:
        # Every completed sign-in passes here (custom challenge, password, hosted UI and Google
        # alike): the one place that sees them all. A refresh is not a new sign-in.
        audit.record_sign_in(subject, source)
    return event
