"""template.yaml's sign-in and account resources: what a deploy needs, least privilege, and no
dependency cycle between the user pool and its triggers (CloudFormation would refuse the stack)."""

from __future__ import annotations

import copy
import re
from typing import Any

from clinic.services import accounts
from clinic.settings import Tables
from clinic_tools import template

T = template.load()
R = T["Resources"]
TRIGGERS = {"DefineAuthChallenge": "DefineAuthChallengeFunction", "CreateAuthChallenge": "CreateAuthChallengeFunction",
            "VerifyAuthChallengeResponse": "VerifyAuthChallengeFunction", "PreSignUp": "PreSignUpFunction",
            "PostConfirmation": "PostConfirmationFunction"}


def refs(node: Any) -> set[str]:
    """Logical ids a template fragment depends on (Ref, GetAtt, ${X} in Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                found |= refs(value)
            else:
                found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def dependency_graph(resources: dict[str, Any]) -> dict[str, set[str]]:
    """Resource -> resources it needs. A SAM function's generated role (``<Id>Role``) carries its
    inline policies, so the function needs what they name; a policy attached to that role is
    separate and needs the function, not the other way round."""
    graph = {name: refs(res.get("Properties", {})) | set(res.get("DependsOn", [])) for name, res in resources.items()}
    for name in resources:
        for other, res in resources.items():
            if f"{other}Role" in graph[name] and res["Type"] == "AWS::Serverless::Function":
                graph[name] = (graph[name] - {f"{other}Role"}) | {other}
    return {name: {d for d in deps if d in resources} for name, deps in graph.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path, node, dep]
            if dep not in state and (cycle := visit(dep, [*path, node])):
                return cycle
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node, [])):
            return cycle
    return None


def test_the_pool_and_its_triggers_form_no_dependency_cycle():
    assert find_cycle(dependency_graph(R)) is None


def test_a_trigger_that_names_the_pool_would_be_a_cycle():
    # The guard above works: give a trigger the pool's id, as an API function has it
    resources = copy.deepcopy(R)
    resources["PreSignUpFunction"]["Properties"]["Environment"]["Variables"]["USER_POOL_ID"] = {"Ref": "UserPool"}
    assert find_cycle(dependency_graph(resources)) is not None


def test_the_pool_invokes_each_trigger_and_each_may_be_invoked_only_by_the_pool():
    config = R["UserPool"]["Properties"]["LambdaConfig"]
    for key, function in TRIGGERS.items():
        assert config[key] == {"Fn::GetAtt": [function, "Arn"]}
    assert config["PreTokenGenerationConfig"] == {"LambdaArn": {"Fn::GetAtt": ["PreTokenGenerationFunction", "Arn"]},
                                                  "LambdaVersion": "V1_0"}
    def function_of(permission):
        name = permission["FunctionName"]
        return name["Fn::GetAtt"][0] if "Fn::GetAtt" in name else name["Ref"]

    permissions = {function_of(res["Properties"]): res["Properties"]
                   for res in template.resources("AWS::Lambda::Permission").values()}
    for function in [*TRIGGERS.values(), "PreTokenGenerationFunction"]:
        assert permissions[function]["Principal"] == "cognito-idp.amazonaws.com"
        assert permissions[function]["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
        assert R[function]["Properties"]["Timeout"] <= 5  # Cognito waits 5 seconds for a trigger


def test_the_dashboard_client_is_a_public_code_and_pkce_client():
    client = R["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    # ID and access tokens: minutes (tests/integration/auth/test_stale_tokens.py); refresh: 30 days
    assert client["IdTokenValidity"] == {"Ref": "IdTokenMinutes"}
    assert client["AccessTokenValidity"] == {"Ref": "IdTokenMinutes"}
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["CallbackURLs"] == {"Ref": "SpaCallbackUrls"}
    assert client["LogoutURLs"] == {"Ref": "SpaLogoutUrls"}


def test_google_is_optional_and_its_client_secret_comes_from_secrets_manager():
    google = R["GoogleIdentityProvider"]
    assert google["Condition"] == "HasGoogleSignIn"
    assert T["Conditions"]["HasGoogleSignIn"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "GoogleOAuthSecretName"}, ""]}]}
    assert T["Parameters"]["GoogleOAuthSecretName"]["Default"] == ""
    for key in ("client_id", "client_secret"):
        assert google["Properties"]["ProviderDetails"][key]["Fn::Sub"].startswith("{{resolve:secretsmanager:")
    assert google["Properties"]["AttributeMapping"]["email_verified"] == "email_verified"
    # Without Google the client must not name it (the provider would not exist)
    assert R["UserPoolClient"]["Properties"]["SupportedIdentityProviders"] == {
        "Fn::If": ["HasGoogleSignIn", ["COGNITO", {"Ref": "GoogleIdentityProvider"}], ["COGNITO"]]}


def test_the_hosted_domain_prefix_is_a_parameter():
    assert R["UserPoolDomain"]["Properties"]["Domain"] == {"Fn::Sub": "${AuthDomainPrefix}-${Stage}"}


def test_a_waf_rate_rule_protects_the_user_pool():
    acl = R["UserPoolWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL"
    (rule,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rule["Action"] == {"Block": {}}
    assert rule["Statement"]["RateBasedStatement"] == {"Limit": {"Ref": "AuthRateLimitPer5Min"},
                                                       "AggregateKeyType": "IP"}
    association = R["UserPoolWebAclAssociation"]["Properties"]
    assert association == {"ResourceArn": {"Fn::GetAtt": ["UserPool", "Arn"]},
                           "WebACLArn": {"Fn::GetAtt": ["UserPoolWebAcl", "Arn"]}}


def test_the_link_route_needs_no_token_and_delete_me_does():
    routes = {(r.method, r.path): r for r in template.routes()}
    assert routes[("POST", "/auth/email-link")].authorized is False
    assert routes[("DELETE", "/me")].authorized is True


def statements(function: str) -> list[dict[str, Any]]:
    found = [s for policy in R[function]["Properties"].get("Policies", []) for s in policy.get("Statement", [])]
    found += [s for res in template.resources("AWS::IAM::Policy").values()
              if {"Ref": f"{function}Role"} in res["Properties"]["Roles"]
              for s in res["Properties"]["PolicyDocument"]["Statement"]]
    return found


def test_triggers_that_need_nothing_get_nothing():
    for function in ("DefineAuthChallengeFunction", "CreateAuthChallengeFunction"):
        assert statements(function) == []


def test_token_generation_may_only_add_audit_records():
    # It records every completed sign-in (docs/decisions.md): one PutItem on the Audit table, nothing else.
    (audit,) = [s for s in statements("PreTokenGenerationFunction") if s.get("Sid") != "UseTheDataKey"]
    assert audit == {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": {"Fn::GetAtt": ["AuditTable", "Arn"]}}


def test_only_account_linking_may_create_or_link_pool_users():
    pool_actions = {a for s in statements("PreSignUpFunction") for a in
                    (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]) if a.startswith("cognito-idp:")}
    assert pool_actions == {"cognito-idp:ListUsers", "cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword",
                            "cognito-idp:AdminLinkProviderForUser"}


def test_links_are_sent_only_as_the_configured_sender():
    (ses,) = [s for s in statements("RequestEmailLinkFunction") if s["Action"] == "ses:SendEmail"]
    assert "identity/${EmailSenderIdentity}" in ses["Resource"]["Fn::Sub"]
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "EmailLinkSender"}}}


def test_sign_in_records_expire():
    assert R["AuthTable"]["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


def test_every_user_data_table_has_a_retention_decision_and_the_worker_may_erase_exactly_those():
    by_env = {}
    for name, value in T["Globals"]["Function"]["Environment"]["Variables"].items():
        if isinstance(value, dict) and value.get("Ref") in R:
            by_env[name] = value["Ref"]
    erased = {by_env[Tables.model_fields[field].alias] for field in accounts.ERASED_TABLES}
    keyed_by_user = {name for name, res in template.resources("AWS::DynamoDB::Table").items()
                     if res["Properties"]["KeySchema"][0]["AttributeName"] == "userId"}
    undecided = keyed_by_user - erased - set(accounts.NOT_ERASED_TABLE_IDS)
    assert not undecided, (f"{sorted(undecided)}: add to clinic.services.accounts.ERASED_TABLES (and the erasure "
                           "worker's policy) or to NOT_ERASED_TABLE_IDS with the reason")
    for table in erased:
        keys = [k["AttributeName"] for k in R[table]["Properties"]["KeySchema"]]
        assert keys == ["userId", "sk"]
    (write,) = [s for s in statements("EraseAccountDataFunction") if "dynamodb:BatchWriteItem" in s["Action"]]
    assert {r["Fn::GetAtt"][0] for r in write["Resource"]} == erased


def test_id_and_access_tokens_live_five_minutes_so_a_revoked_account_loses_access_within_five():
    # Cognito's shortest lifetime; refresh is refused once a session is revoked or the user gone.
    parameters = template.load()["Parameters"]
    assert (parameters["IdTokenMinutes"]["Default"], parameters["IdTokenMinutes"]["MinValue"]) == (5, 5)


def test_the_pool_offers_an_authenticator_app_as_second_factor():
    pool = R["UserPool"]["Properties"]
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
