"""template.yaml, read as data: the REST API's edge. Access logs without PHI, a stage that never
logs request data, CORS for the dashboard's origin only, API Gateway's own answers in the error
shape, and a web ACL in front."""

import json
import re

import pytest

from clinic_tools import template

TEMPLATE = template.load()
RESOURCES = TEMPLATE["Resources"]
API = RESOURCES["ClinicApi"]["Properties"]


# $context fields that carry no PHI: ids, the caller's sub, the route template, outcome, timings.
SAFE_CONTEXT = {
    "requestId", "identity.sourceIp", "authorizer.claims.sub", "requestTime", "requestTimeEpoch", "httpMethod",
    "resourcePath", "status", "responseLength", "integrationLatency", "responseLatency", "wafResponseCode",
    "error.responseType", "xrayTraceId", "protocol", "stage", "apiId",
}


def test_access_logs_are_json_lines_of_phi_free_context_fields_only():
    setting = API["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(setting["Format"])
    assert {"requestId", "status", "resourcePath", "httpMethod"} <= set(fields)
    for name, value in fields.items():
        match = re.fullmatch(r"\$context\.([A-Za-z.]+)", value)
        assert match and match.group(1) in SAFE_CONTEXT, f"{name}: {value}"


def test_the_access_log_group_is_retained_as_an_audit_record():
    resource = RESOURCES["ApiAccessLogGroup"]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


def test_the_stage_traces_keeps_no_cache_and_never_logs_request_data():
    assert API["TracingEnabled"] is True
    assert API["CacheClusterEnabled"] is False
    settings = API["MethodSettings"]
    assert any(s["ResourcePath"] == "/*" and s["HttpMethod"] == "*" for s in settings)
    for s in settings:
        assert s["DataTraceEnabled"] is False and s["LoggingLevel"] in ("OFF", "ERROR")
        assert s["MetricsEnabled"] is True and s["CachingEnabled"] is False
        assert 0 < s["ThrottlingRateLimit"] <= s["ThrottlingBurstLimit"]


def test_cors_allows_only_the_dashboards_origin():
    assert API["Cors"]["AllowOrigin"] == {"Fn::Sub": "'${AllowedOrigins}'"}
    parameter = TEMPLATE["Parameters"]["AllowedOrigins"]
    assert re.fullmatch(parameter["AllowedPattern"], parameter["Default"])
    assert re.fullmatch(parameter["AllowedPattern"], "https://dashboard.clinic.example")
    for not_one_origin in ("*", "null", "https://a.example,https://b.example", "https://a.example/path"):
        assert not re.fullmatch(parameter["AllowedPattern"], not_one_origin)
    assert TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["ALLOWED_ORIGIN"] == {"Ref": "AllowedOrigins"}


GATEWAY_ERRORS = {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "WAF_FILTERED",
                  "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE"}


DESIGN_CODES = {"validation_error", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "internal"}


@pytest.mark.parametrize("kind", sorted(API["GatewayResponses"]))
def test_gateway_responses_use_the_error_shape_and_the_functions_headers(kind):
    response = API["GatewayResponses"][kind]
    body = json.loads(response["ResponseTemplates"]["application/json"])
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] in DESIGN_CODES and body["error"]["details"] == []
    headers = response["ResponseParameters"]["Headers"]
    assert headers["Access-Control-Allow-Origin"] == {"Fn::Sub": "'${AllowedOrigins}'"}
    assert headers["Cache-Control"] == "'no-store'"
    assert headers["X-Content-Type-Options"] == "'nosniff'"
    assert headers["Strict-Transport-Security"].startswith("'max-age=")


@pytest.mark.parametrize("kind", sorted(k for k, r in API["GatewayResponses"].items() if r.get("StatusCode") == 429))
def test_every_429_api_gateway_answers_itself_says_when_to_try_again(kind):
    retry_after = API["GatewayResponses"][kind]["ResponseParameters"]["Headers"]["Retry-After"]
    assert re.fullmatch(r"'[1-9][0-9]*'", retry_after)  # a static header value: whole seconds, quoted


def test_throttling_and_quota_refusals_are_429s():
    refusals = {k for k, r in API["GatewayResponses"].items() if r.get("StatusCode") == 429}
    assert refusals == {"THROTTLED", "QUOTA_EXCEEDED"}


def test_every_kind_of_gateway_error_is_answered():
    assert set(API["GatewayResponses"]) >= GATEWAY_ERRORS


def test_a_web_acl_with_aws_managed_rules_and_a_rate_limit_guards_the_api_stage():
    acl = RESOURCES["ApiWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Rules"]
              if "ManagedRuleGroupStatement" in r["Statement"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList"} <= groups
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Action"] == {"Block": {}} and rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert len({r["Priority"] for r in acl["Rules"]}) == len(acl["Rules"])
    association = RESOURCES["ApiWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert association["ResourceArn"]["Fn::Sub"].endswith("/restapis/${ClinicApi}/stages/${ClinicApi.Stage}")


def test_a_managed_rule_only_counted_is_enforced_by_a_later_rule_on_its_label():
    acl = RESOURCES["ApiWebAcl"]["Properties"]
    for rule in acl["Rules"]:
        group = rule["Statement"].get("ManagedRuleGroupStatement", {})
        for override in group.get("RuleActionOverrides", []):
            assert override["ActionToUse"] == {"Count": {}}
            later = [r for r in acl["Rules"] if r["Priority"] > rule["Priority"] and r.get("Action") == {"Block": {}}]
            label = override["Name"].replace("_BODY", "_Body")
            assert any(label in json.dumps(r["Statement"]) for r in later), override["Name"]
