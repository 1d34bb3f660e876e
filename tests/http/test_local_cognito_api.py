"""The runner's user-pool API (`/cognito-idp/`), called with botocore's own `cognito-idp` client,
as the page or any Python caller calls Cognito in AWS: email-link sign-in through custom auth,
refresh, revocation, global sign-out and TOTP, answered with Cognito's own error types."""

from __future__ import annotations

import contextlib
import json

import pytest
import requests
from botocore.exceptions import ClientError

from clinic_local import totp
from clinic_local.cognito_api import PATH
from tests.http.test_local_sign_in import ask_for_link, claims, link_token, new_address

pytestmark = pytest.mark.http


@pytest.fixture(scope="module")
def client_id(local_stack_state):
    return local_stack_state.client_id


def error_type(call):
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return raised.value.response["Error"]["Code"]


def start(idp, client_id, email):
    return idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": email})


def answer(idp, client_id, started, secret):
    return idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName=started["ChallengeName"], Session=started["Session"],
        ChallengeResponses={"USERNAME": started["ChallengeParameters"]["USERNAME"], "ANSWER": secret})


def fresh_link(api, local_stack_state, email):
    assert ask_for_link(api, email).status_code == 202
    return link_token(local_stack_state, email)


def sign_in(idp, client_id, api, local_stack_state, email):
    """What the page does with a link: SignUp (refused for an existing account), then CUSTOM_AUTH."""
    secret = fresh_link(api, local_stack_state, email)
    # An address with an account already is refused here: straight on to signing in.
    with contextlib.suppress(idp.exceptions.UserLambdaValidationException):
        idp.sign_up(ClientId=client_id, Username=email, Password="Unused-1a" + secret[:20],
                    ClientMetadata={"emailLinkToken": secret})
    return answer(idp, client_id, start(idp, client_id, email), secret)


def wrong_code(secret):
    valid = {totp.code(secret, at) for at in (totp.time.time() + d * totp.STEP_S for d in (-1, 0, 1, 2))}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


@pytest.fixture
def newcomer(idp, client_id, api, local_stack_state):
    email = new_address()
    return email, sign_in(idp, client_id, api, local_stack_state, email)["AuthenticationResult"]


def test_a_new_address_signs_up_and_in_with_its_link_and_reaches_its_own_data(api, newcomer):
    email, result = newcomer
    assert claims(result["IdToken"])["email"] == email
    assert claims(result["IdToken"])["role"] == "patient"
    assert api.get("/biomarkers/stats", token=result["IdToken"]).json()["total"] == 0


def test_a_used_link_and_a_reused_session_are_refused(idp, client_id, api, local_stack_state):
    email = new_address()
    secret = fresh_link(api, local_stack_state, email)
    idp.sign_up(ClientId=client_id, Username=email, Password="Unused-1a-password",
                ClientMetadata={"emailLinkToken": secret})
    started = start(idp, client_id, email)
    assert "AuthenticationResult" in answer(idp, client_id, started, secret)
    assert error_type(lambda: answer(idp, client_id, started, secret)) == "NotAuthorizedException"
    again = start(idp, client_id, email)
    assert error_type(lambda: answer(idp, client_id, again, secret)) == "NotAuthorizedException"


def test_a_wrong_answer_is_refused_and_leaves_the_link_usable(idp, client_id, api, local_stack_state, newcomer):
    email, _ = newcomer
    secret = fresh_link(api, local_stack_state, email)
    assert error_type(lambda: answer(idp, client_id, start(idp, client_id, email), "x" * 43)) \
        == "NotAuthorizedException"
    assert "AuthenticationResult" in answer(idp, client_id, start(idp, client_id, email), secret)


def test_known_and_unknown_addresses_are_answered_alike(idp, client_id, newcomer):
    known, unknown = start(idp, client_id, newcomer[0]), start(idp, client_id, new_address())
    assert known["ChallengeName"] == unknown["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert known["ChallengeParameters"].keys() == unknown["ChallengeParameters"].keys()
    refusals = [error_type(lambda s=s: answer(idp, client_id, s, "y" * 43)) for s in (known, unknown)]
    assert refusals == ["NotAuthorizedException", "NotAuthorizedException"]


def test_signing_up_without_a_live_link_is_refused_whether_or_not_the_address_has_an_account(idp, client_id,
                                                                                              newcomer):
    for email in (newcomer[0], new_address()):
        refused = error_type(lambda e=email: idp.sign_up(ClientId=client_id, Username=e, Password="Unused-1a-pw",
                                                         ClientMetadata={"emailLinkToken": "z" * 43}))
        assert refused == "UserLambdaValidationException"


def test_refresh_gives_a_fresh_id_token_with_the_role_until_the_refresh_token_is_revoked(idp, client_id, api,
                                                                                       newcomer):
    _, result = newcomer
    refreshed = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})["AuthenticationResult"]
    assert claims(refreshed["IdToken"])["sub"] == claims(result["IdToken"])["sub"]
    assert claims(refreshed["IdToken"])["role"] == "patient"
    assert api.get("/biomarkers/stats", token=refreshed["IdToken"]).status_code == 200

    idp.revoke_token(ClientId=client_id, Token=result["RefreshToken"])

    assert error_type(lambda: idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})) == "NotAuthorizedException"
    # The access tokens of that session go with it.
    assert error_type(lambda: idp.global_sign_out(AccessToken=refreshed["AccessToken"])) == "NotAuthorizedException"


def test_global_sign_out_ends_every_session_of_the_user(idp, client_id, api, local_stack_state, newcomer):
    email, first = newcomer
    second = sign_in(idp, client_id, api, local_stack_state, email)["AuthenticationResult"]

    idp.global_sign_out(AccessToken=second["AccessToken"])

    for session in (first, second):
        assert error_type(lambda s=session: idp.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": s["RefreshToken"]})) == "NotAuthorizedException"
    assert error_type(lambda: idp.associate_software_token(AccessToken=first["AccessToken"])) \
        == "NotAuthorizedException"


def test_a_patient_who_turns_on_totp_must_give_a_code_at_every_sign_in(idp, client_id, api, local_stack_state,
                                                                        newcomer):
    email, result = newcomer
    secret = idp.associate_software_token(AccessToken=result["AccessToken"])["SecretCode"]
    assert error_type(lambda: idp.verify_software_token(AccessToken=result["AccessToken"],
                                                        UserCode=wrong_code(secret))) \
        == "EnableSoftwareTokenMFAException"
    assert idp.verify_software_token(AccessToken=result["AccessToken"], UserCode=totp.code(secret))["Status"] \
        == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=result["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    link = fresh_link(api, local_stack_state, email)
    challenged = answer(idp, client_id, start(idp, client_id, email), link)
    assert challenged["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenged

    def give(code):
        return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                             Session=challenged["Session"],
                                             ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code})

    assert error_type(lambda: give(wrong_code(secret))) == "CodeMismatchException"
    # The session was spent by the wrong code: the whole sign-in starts again.
    assert error_type(lambda: give(totp.code(secret))) == "NotAuthorizedException"
    link = fresh_link(api, local_stack_state, email)
    challenged = answer(idp, client_id, start(idp, client_id, email), link)
    tokens = give(totp.code(secret))["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == email


def test_turning_on_totp_without_a_verified_code_is_refused(idp, newcomer):
    _, result = newcomer
    assert error_type(lambda: idp.set_user_mfa_preference(
        AccessToken=result["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})) \
        == "InvalidParameterException"


@pytest.mark.parametrize(("flow", "parameters", "expected"), [
    ("USER_PASSWORD_AUTH", {"USERNAME": "a@example.com", "PASSWORD": "x"}, "InvalidParameterException"),
    ("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": "not-a-token"}, "NotAuthorizedException"),
    ("CUSTOM_AUTH", {"USERNAME": "not an address"}, "NotAuthorizedException"),
])
def test_flows_and_parameters_the_client_may_not_use_are_cognito_errors(idp, client_id, flow, parameters, expected):
    assert error_type(lambda: idp.initiate_auth(ClientId=client_id, AuthFlow=flow,
                                                AuthParameters=parameters)) == expected


def test_an_unknown_client_and_a_made_up_session_are_cognito_errors(idp, client_id):
    assert error_type(lambda: start(idp, "nosuchclient0000000000000", "a@example.com")) == "ResourceNotFoundException"
    made_up = {"ChallengeName": "CUSTOM_CHALLENGE", "Session": "made-up-" * 4, "ChallengeParameters": {"USERNAME": "a"}}
    assert error_type(lambda: answer(idp, client_id, made_up, "x")) == "NotAuthorizedException"
    assert error_type(lambda: idp.global_sign_out(AccessToken="not.a.token")) == "NotAuthorizedException"
    assert error_type(lambda: idp.revoke_token(ClientId=client_id, Token="a.b.c")) == "UnsupportedTokenTypeException"


@pytest.mark.parametrize(("target", "body"), [
    ("AWSCognitoIdentityProviderService.InitiateAuth", b"{not json"),
    ("AWSCognitoIdentityProviderService.InitiateAuth", b"[]"),
    ("AWSCognitoIdentityProviderService.InitiateAuth", json.dumps({"ClientId": 7}).encode()),
    ("AWSCognitoIdentityProviderService.AdminDeleteUser", b"{}"),
    ("AWSCognitoIdentityProviderService.__init__", b"{}"),
    ("", b"{}"),
])
def test_malformed_calls_are_cognito_errors_never_a_500(local_stack_state, client_id, target, body):
    response = requests.post(local_stack_state.api_url + PATH, data=body, timeout=10,
                             headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    assert response.status_code == 400
    assert response.json()["__type"].endswith("Exception")
    assert response.headers["x-amzn-ErrorType"] == response.json()["__type"]


def test_malformed_parameters_inside_a_known_client_are_cognito_errors(local_stack_state, client_id):
    body = {"ClientId": client_id, "AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": ["a@example.com"]}}
    response = requests.post(local_stack_state.api_url + PATH, json=body, timeout=10,
                             headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})
    assert (response.status_code, response.json()["__type"]) == (400, "InvalidParameterException")


# --- staff: the admin group only after the authenticator app's code -------------------------------


def give_code(idp, client_id, challenged, email, code):
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                         Session=challenged["Session"],
                                         ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code})


def test_the_demo_admin_must_give_a_code_before_an_admin_route_answers(idp, client_id, api, local_stack_state):
    admin = next(a for a in local_stack_state.accounts if a["role"] == "admin")
    challenged = sign_in(idp, client_id, api, local_stack_state, admin["email"])
    assert challenged["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenged
    assert error_type(lambda: give_code(idp, client_id, challenged, admin["email"], wrong_code(admin["totpSecret"]))) \
        == "CodeMismatchException"

    challenged = sign_in(idp, client_id, api, local_stack_state, admin["email"])
    code = totp.code(admin["totpSecret"])
    tokens = give_code(idp, client_id, challenged, admin["email"], code)["AuthenticationResult"]

    assert claims(tokens["IdToken"])["role"] == "admin"
    assert api.get("/admin/patients", token=tokens["IdToken"]).status_code == 200


def test_a_promoted_person_reaches_admin_routes_only_after_turning_on_an_authenticator_app(idp, client_id, api,
                                                                                            local_stack_state,
                                                                                            newcomer):
    email, first = newcomer
    promoted = api.request("PUT", f"/admin/users/{claims(first['IdToken'])['sub']}/role", token=api.admin_token,
                           json={"role": "admin"})
    assert promoted.status_code == 200, promoted.text

    # The promotion ended the sessions from before it; signed in again, but not as staff yet.
    assert error_type(lambda: idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                                AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})) \
        == "NotAuthorizedException"
    tokens = sign_in(idp, client_id, api, local_stack_state, email)["AuthenticationResult"]
    assert claims(tokens["IdToken"])["role"] == "patient"
    assert "admin" not in claims(tokens["IdToken"]).get("cognito:groups", [])
    assert api.get("/admin/patients", token=tokens["IdToken"]).status_code == 403

    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=totp.code(secret))
    idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenged = sign_in(idp, client_id, api, local_stack_state, email)
    staff = give_code(idp, client_id, challenged, email, totp.code(secret))["AuthenticationResult"]

    assert claims(staff["IdToken"])["role"] == "admin"
    assert api.get("/admin/patients", token=staff["IdToken"]).status_code == 200
