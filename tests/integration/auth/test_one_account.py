"""One account per person, whichever way they sign in first: Google and email link end with one
native Cognito user, one Users item keyed by its sub, and tokens that carry that sub.

moto runs no triggers and has no AdminLinkProviderForUser: the triggers are invoked with Cognito's
events (events/cognito/) and the local runner's host drives the email-link sequence; linking is
recorded by the ``user_pool`` fixture."""

from __future__ import annotations

import jwt
import pytest

from clinic import aws
from clinic.repositories import dynamo
from clinic.services.sign_in import SignInRefused
from clinic_local import sign_in as local_sign_in
from tests.integration.auth.conftest import create_native_user, link_in
from tests.support.cognito import trigger_event
from tests.support.events import api_event

GOOGLE_USER = "Google_104958216412345678901"
EMAIL = "patient@example.com"


def google_sign_in(invoke, pool, *, email=EMAIL, verified="true", user_name=GOOGLE_USER):
    event = trigger_event("pre_sign_up_external_provider", user_pool_id=pool.id, user_name=user_name,
                          attributes={"email": email, "email_verified": verified})
    return invoke("PreSignUpFunction", event)


def email_link_sign_in(invoke, pool, outbox, email=EMAIL):
    assert invoke("RequestEmailLinkFunction",
                  api_event("auth/request_email_link.json", body={"email": email}))["statusCode"] == 202
    link_email, token = link_in(outbox[-1])
    tokens = local_sign_in.complete_email_link(pool.stack(), link_email, token)
    return jwt.decode(tokens["idToken"], options={"verify_signature": False})


def pool_users(pool):
    return aws.client("cognito-idp").list_users(UserPoolId=pool.id)["Users"]


def profiles(tables):
    return [dynamo.from_item(i) for i in aws.dynamodb().scan(TableName=tables["UsersTable"])["Items"]]


def sub_of(user):
    return next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")


def test_google_first_creates_the_native_account_and_links_google_to_it(invoke, user_pool, tables):
    # When someone new signs in with Google
    google_sign_in(invoke, user_pool)
    # Then a native user with the verified email exists, Google is linked to it, and its profile exists
    (native,) = pool_users(user_pool)
    attributes = {a["Name"]: a["Value"] for a in native["Attributes"]}
    assert (attributes["email"], attributes["email_verified"], native["UserStatus"]) == (EMAIL, "true", "CONFIRMED")
    (link,) = user_pool.links
    assert link["DestinationUser"] == {"ProviderName": "Cognito", "ProviderAttributeValue": native["Username"]}
    assert link["SourceUser"] == {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                                  "ProviderAttributeValue": "104958216412345678901"}
    assert [p["userId"] for p in profiles(tables)] == [sub_of(native)]


def test_google_then_email_link_is_one_account(invoke, user_pool, tables, outbox):
    google_sign_in(invoke, user_pool)
    claims = email_link_sign_in(invoke, user_pool, outbox)
    (native,) = pool_users(user_pool)
    assert claims["sub"] == sub_of(native)
    assert [p["userId"] for p in profiles(tables)] == [claims["sub"]]


def test_email_link_then_google_is_one_account(invoke, user_pool, tables, outbox):
    # Given someone signed up with an email link (the link confirms the new address)
    claims = email_link_sign_in(invoke, user_pool, outbox)
    # When they later sign in with Google using the same address
    google_sign_in(invoke, user_pool)
    # Then Google is linked to that account: still one user, one profile, the same sub
    (native,) = pool_users(user_pool)
    assert sub_of(native) == claims["sub"]
    assert user_pool.links[0]["DestinationUser"]["ProviderAttributeValue"] == native["Username"]
    assert [p["userId"] for p in profiles(tables)] == [claims["sub"]]


def test_a_second_email_link_sign_in_is_the_same_account(invoke, user_pool, tables, outbox):
    first = email_link_sign_in(invoke, user_pool, outbox)
    second = email_link_sign_in(invoke, user_pool, outbox)
    assert first["sub"] == second["sub"]
    assert len(pool_users(user_pool)) == 1
    assert len(profiles(tables)) == 1


def test_an_address_google_has_not_verified_is_refused_and_nothing_created(invoke, user_pool, tables):
    with pytest.raises(SignInRefused):
        google_sign_in(invoke, user_pool, verified="false")
    assert pool_users(user_pool) == []
    assert user_pool.links == []
    assert profiles(tables) == []


def test_google_is_not_linked_to_an_account_whose_address_was_never_verified(invoke, user_pool, tables):
    create_native_user(EMAIL, verified=False)
    with pytest.raises(SignInRefused):
        google_sign_in(invoke, user_pool)
    assert user_pool.links == []


def test_an_unknown_identity_provider_is_refused(invoke, user_pool):
    with pytest.raises(SignInRefused):
        google_sign_in(invoke, user_pool, user_name="SomeSaml_abc")
    assert pool_users(user_pool) == []


# --- email-link sign-up (pre-sign-up, post-confirmation) ----------------------------------------


def sign_up_event(email, token):
    return trigger_event("pre_sign_up", attributes={"email": email}, clientMetadata={"emailLinkToken": token})


def test_sign_up_is_confirmed_only_with_a_live_link_for_that_address(invoke, tables, outbox):
    invoke("RequestEmailLinkFunction", api_event("auth/request_email_link.json", body={"email": "new@example.com"}))
    email, token = link_in(outbox[-1])
    response = invoke("PreSignUpFunction", sign_up_event(email, token))["response"]
    assert (response["autoConfirmUser"], response["autoVerifyEmail"]) == (True, True)
    # Checking does not spend the link: sign-in consumes it next
    assert invoke("PreSignUpFunction", sign_up_event(email, token))["response"]["autoConfirmUser"] is True


@pytest.mark.parametrize("case", ["no-link", "other-address", "altered"])
def test_sign_up_without_a_valid_link_is_refused(invoke, tables, outbox, case):
    invoke("RequestEmailLinkFunction", api_event("auth/request_email_link.json", body={"email": "new@example.com"}))
    email, token = link_in(outbox[-1])
    event = {"no-link": sign_up_event(email, ""), "other-address": sign_up_event("else@example.com", token),
             "altered": sign_up_event(email, token[::-1])}[case]
    with pytest.raises(SignInRefused):
        invoke("PreSignUpFunction", event)


def test_users_created_by_an_admin_pass_pre_sign_up_untouched(invoke, tables):
    event = trigger_event("pre_sign_up", clientMetadata={})
    event["triggerSource"] = "PreSignUp_AdminCreateUser"
    assert invoke("PreSignUpFunction", event)["response"]["autoConfirmUser"] is False


def test_post_confirmation_creates_the_profile_once(invoke, tables):
    event = trigger_event("post_confirmation")
    invoke("PostConfirmationFunction", event)
    (first,) = profiles(tables)
    # A retried trigger (Cognito retries on timeouts) changes nothing
    invoke("PostConfirmationFunction", trigger_event("post_confirmation", attributes={"name": "Changed"}))
    assert profiles(tables) == [first]
    assert (first["userId"], first["email"], first["role"]) == (event["request"]["userAttributes"]["sub"],
                                                                "new.patient@example.com", "patient")


def test_post_confirmation_after_a_password_reset_creates_nothing(invoke, tables):
    event = trigger_event("post_confirmation")
    event["triggerSource"] = "PostConfirmation_ConfirmForgotPassword"
    invoke("PostConfirmationFunction", event)
    assert profiles(tables) == []
