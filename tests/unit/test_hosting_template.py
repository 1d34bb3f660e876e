"""template.yaml, read as data: the dashboard's hosting. One CloudFront distribution serves the page
from a private bucket and the REST API under /api/*, with a strict CSP, WAF, and access logs
that cannot hold PHI."""

from __future__ import annotations

import json
import re

from clinic_tools import template

TEMPLATE = template.load()
RESOURCES = TEMPLATE["Resources"]
DISTRIBUTION = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def behaviour(path_pattern: str) -> dict:
    (found,) = [b for b in DISTRIBUTION["CacheBehaviors"] if b["PathPattern"] == path_pattern]
    return found


def origin(origin_id: str) -> dict:
    (found,) = [o for o in DISTRIBUTION["Origins"] if o["Id"] == origin_id]
    return found


def csp_directives() -> dict[str, list[str]]:
    policy = RESOURCES["WebResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    text, names = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert set(re.findall(r"\$\{(\w+)\}", text)) == set(names)
    directives = {}
    for part in text.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_page_bucket_is_private_encrypted_versioned_and_tls_only():
    bucket = RESOURCES["WebBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"][k] is True for k in (
        "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    statements = RESOURCES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and deny["Action"] == "s3:*"


def test_only_this_distribution_reads_the_bucket_through_origin_access_control():
    statements = RESOURCES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "${WebDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    page = origin("page")
    assert page["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert page["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy identity
    control = RESOURCES["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert control["SigningBehavior"] == "always" and control["OriginAccessControlOriginType"] == "s3"


def test_the_api_is_on_the_same_distribution_under_api_uncached_with_every_viewer_header_but_host():
    api = behaviour("/api/*")
    assert api["TargetOriginId"] == "api"
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] == "https-only"
    (strip,) = api["FunctionAssociations"]
    assert strip == {"EventType": "viewer-request",
                     "FunctionARN": {"Fn::GetAtt": ["ApiPathViewerRequest", "FunctionMetadata.FunctionARN"]}}
    rest = origin("api")
    assert rest["DomainName"] == {"Fn::Sub": "${ClinicApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert rest["OriginPath"] == {"Fn::Sub": "/${Stage}"}
    assert rest["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_spa_routing_is_the_pages_alone_so_api_errors_pass_through():
    assert "CustomErrorResponses" not in DISTRIBUTION  # would turn an API 404 or 403 into index.html
    page = DISTRIBUTION["DefaultCacheBehavior"]
    assert page["TargetOriginId"] == "page" and page["ViewerProtocolPolicy"] == "redirect-to-https"
    (routing,) = page["FunctionAssociations"]
    assert routing["FunctionARN"] == {"Fn::GetAtt": ["WebRoutingViewerRequest", "FunctionMetadata.FunctionARN"]}
    for logical_id in ("WebRoutingViewerRequest", "ApiPathViewerRequest"):
        function = RESOURCES[logical_id]["Properties"]
        assert function["AutoPublish"] is True and function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"


def test_every_behaviour_carries_the_response_headers_policy():
    policy = {"Ref": "WebResponseHeadersPolicy"}
    assert DISTRIBUTION["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == policy
    assert all(b["ResponseHeadersPolicyId"] == policy for b in DISTRIBUTION["CacheBehaviors"])


def test_the_csp_allows_no_inline_script_and_connects_only_to_the_api_the_socket_and_cognito():
    directives = csp_directives()
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert not any("unsafe" in v or v == "*" for values in directives.values() for v in values)
    assert directives["connect-src"] == ["'self'", "${LiveUpdatesOrigin}", "${CognitoOrigins}"]
    names = RESOURCES["WebResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"][1]
    assert names["LiveUpdatesOrigin"] == {"Fn::Sub": "wss://${LiveApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    cognito = names["CognitoOrigins"]["Fn::Sub"].split()
    assert cognito == ["https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}",
                       "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]


def test_hsts_no_framing_no_referrer_and_a_permissions_policy():
    config = RESOURCES["WebResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    assert all(header["Override"] is True for header in security.values())
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    (permissions,) = [i for i in config["CustomHeadersConfig"]["Items"] if i["Header"] == "Permissions-Policy"]
    assert {"camera=()", "microphone=()", "geolocation=()"} <= {p.strip() for p in permissions["Value"].split(",")}


def test_the_distribution_has_a_web_acl_in_every_region():
    conditions = TEMPLATE["Conditions"]
    assert conditions["InUsEast1"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    assert RESOURCES["EdgeWebAcl"]["Condition"] == "CreateEdgeWebAcl"
    assert RESOURCES["EdgeWebAcl"]["Properties"]["Scope"] == "CLOUDFRONT"
    assert DISTRIBUTION["WebACLId"] == {"Fn::If": [
        "CreateEdgeWebAcl", {"Fn::GetAtt": ["EdgeWebAcl", "Arn"]},
        {"Fn::If": ["HasEdgeWebAclArn", {"Ref": "EdgeWebAclArn"}, {"Ref": "AWS::NoValue"}]}]}
    # ... and the third branch (no ACL) cannot deploy: outside us-east-1 the ARN is required.
    rule = TEMPLATE["Rules"]["EdgeWebAclOutsideUsEast1"]
    assert rule["RuleCondition"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]}
    assert rule["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "EdgeWebAclArn"}, ""]}]}


def test_the_edge_acl_keeps_the_apis_protections_with_its_paths_under_api():
    edge, regional = (RESOURCES[n]["Properties"]["Rules"] for n in ("EdgeWebAcl", "ApiWebAcl"))
    assert [r["Name"] for r in edge] == [r["Name"] for r in regional]
    assert [r["Priority"] for r in edge] == [r["Priority"] for r in regional]
    for mine, theirs in zip(edge, regional, strict=True):
        text = json.dumps(mine["Statement"]).replace("^/api/", "^/[^/]+/")
        assert json.loads(text) == theirs["Statement"], mine["Name"]  # the stage segment is /api at the edge
    (lab,) = [r for r in edge if r["Name"] == "large-body-only-for-lab-entry"]
    assert re.fullmatch(r"^/api/admin/patients/[^/]+/biomarkers$", "/api/admin/patients/u-1/biomarkers")
    assert "^/api/admin/patients/[^/]+/biomarkers$" in json.dumps(lab)


# Standard logging v2 fields that can hold PHI or ids: the path, the query string, the referrer
# (a page URL), cookies, and headers a caller controls.
PHI_FIELDS = {"cs-uri-stem", "cs-uri-query", "cs(Referer)", "cs(Cookie)", "cs(User-Agent)", "x-forwarded-for",
              "cs-headers", "cs-header-names"}


def test_access_logs_record_no_path_query_referrer_or_cookie():
    delivery = RESOURCES["WebAccessLogDelivery"]["Properties"]
    fields = set(delivery["RecordFields"])
    assert {"date", "time", "c-ip", "cs-method", "sc-status", "x-edge-request-id"} <= fields
    assert not fields & PHI_FIELDS
    source = RESOURCES["WebAccessLogSource"]["Properties"]
    assert source["LogType"] == "ACCESS_LOGS" and "${WebDistribution}" in source["ResourceArn"]["Fn::Sub"]
    destination = RESOURCES["WebAccessLogDestination"]["Properties"]
    assert destination["DestinationResourceArn"] == {"Fn::GetAtt": ["WebAccessLogGroup", "Arn"]}
    assert "Logging" not in DISTRIBUTION  # legacy standard logs always include the query string


def test_a_custom_domain_is_optional_and_needs_its_us_east_1_certificate():
    parameters = TEMPLATE["Parameters"]
    assert parameters["CustomDomainName"]["Default"] == parameters["CertificateArn"]["Default"] == ""
    assert re.fullmatch(parameters["CertificateArn"]["AllowedPattern"],
                        "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666")
    assert not re.fullmatch(parameters["CertificateArn"]["AllowedPattern"],
                            "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666")
    assert re.fullmatch(parameters["CustomDomainName"]["AllowedPattern"], "dashboard.clinic.example")
    assert DISTRIBUTION["Aliases"]["Fn::If"][0] == "HasCustomDomain"
    with_domain, without = DISTRIBUTION["ViewerCertificate"]["Fn::If"][1:]
    assert with_domain["AcmCertificateArn"] == {"Ref": "CertificateArn"}
    assert with_domain["MinimumProtocolVersion"].startswith("TLSv1.2")
    assert without == {"CloudFrontDefaultCertificate": True}
    assert "CustomDomainHasCertificate" in TEMPLATE["Rules"]


def test_the_outputs_give_the_dashboard_url_and_what_config_json_and_publishing_need():
    outputs = TEMPLATE["Outputs"]
    for name in ("DashboardUrl", "DashboardApiBaseUrl", "LiveUpdatesUrl", "WebBucketName", "WebDistributionId",
                 "WebDistributionDomainName"):
        assert name in outputs, name
    assert outputs["DashboardApiBaseUrl"]["Value"] == "/api" == behaviour("/api/*")["PathPattern"][:-2]
    with_domain, without = outputs["DashboardUrl"]["Value"]["Fn::If"][1:]
    assert with_domain["Fn::Sub"].endswith("/app/") and without["Fn::Sub"].endswith("/app/")
