"""`make publish` end to end against moto (S3 and CloudFront, in process): the build lands under
app/ with its content types and cache headers, config.json comes from the stack's outputs, and
a second publish uploads and invalidates only what changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from clinic_ops.publish import Target, publish

OUTPUTS = {
    "WebBucketName": "clinic-dev-webbucket-abc",
    "DashboardApiBaseUrl": "/api",
    "LiveUpdatesUrl": "wss://live123.execute-api.us-east-1.amazonaws.com/dev",
    "DashboardUrl": "https://d111111abcdef8.cloudfront.net/app/",
    "UserPoolId": "us-east-1_AbCdEf123",
    "UserPoolClientId": "4example0client0id0abcdefg",
    "HostedSignInUrl": "https://clinic-dashboard-dev.auth.us-east-1.amazoncognito.com",
}
INDEX = b'<!doctype html><script type="module" src="/app/assets/index-Bq3xYz9A.js"></script>'


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        session = botocore.session.get_session()
        s3 = session.create_client("s3", region_name="us-east-1")
        cloudfront = session.create_client("cloudfront", region_name="us-east-1")
        s3.create_bucket(Bucket=OUTPUTS["WebBucketName"])
        distribution = cloudfront.create_distribution(DistributionConfig={
            "CallerReference": "test", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "page", "DomainName": f"{OUTPUTS['WebBucketName']}.s3.us-east-1.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "page", "ViewerProtocolPolicy": "redirect-to-https",
                                     "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        })["Distribution"]
        yield {"s3": s3, "cloudfront": cloudfront, "distribution_id": distribution["Id"]}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A Vite build as `make web` leaves it (with its stamp and the placeholder config.json)."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-Bq3xYz9A.js").write_text("console.log('page')")
    (tmp_path / "assets" / "index-C7kLm2Qp.css").write_text("body{}")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path / "config.json").write_text('{"apiBaseUrl": "", "webSocketUrl": "", "demoSignIn": true}')
    (tmp_path / ".built").write_text("")
    return tmp_path


def target(aws: dict[str, Any]) -> Target:
    return Target.from_outputs({**OUTPUTS, "WebDistributionId": aws["distribution_id"]})


def stored(aws: dict[str, Any]) -> dict[str, dict[str, Any]]:
    s3 = aws["s3"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=OUTPUTS["WebBucketName"]).get("Contents", [])]
    return {key: s3.get_object(Bucket=OUTPUTS["WebBucketName"], Key=key) for key in keys}


def invalidated(aws: dict[str, Any]) -> list[list[str]]:
    cloudfront = aws["cloudfront"]
    listed = cloudfront.list_invalidations(DistributionId=aws["distribution_id"])["InvalidationList"]
    return [cloudfront.get_invalidation(DistributionId=aws["distribution_id"], Id=i["Id"])
            ["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", []) for i in listed.get("Items", [])]


def test_the_build_lands_under_app_with_content_types_and_cache_headers(aws, dist):
    # When the build is published to a new stack
    done = publish(aws["s3"], aws["cloudfront"], target(aws), dist)
    # Then every file of the build is under app/ (not the build stamp), with its type and caching
    objects = stored(aws)
    assert set(objects) == {"app/index.html", "app/config.json", "app/favicon.svg",
                            "app/assets/index-Bq3xYz9A.js", "app/assets/index-C7kLm2Qp.css"}
    expected = {
        "app/index.html": ("text/html; charset=utf-8", "no-cache"),
        "app/config.json": ("application/json", "no-cache"),
        "app/favicon.svg": ("image/svg+xml", "no-cache"),
        "app/assets/index-Bq3xYz9A.js": ("text/javascript", "public, max-age=31536000, immutable"),
        "app/assets/index-C7kLm2Qp.css": ("text/css", "public, max-age=31536000, immutable"),
    }
    assert {k: (o["ContentType"], o["CacheControl"]) for k, o in objects.items()} == expected
    assert objects["app/index.html"]["Body"].read() == INDEX
    # and index.html goes last, so it never names an asset not yet uploaded
    assert done.uploaded[-1] == "app/index.html" and done.uploaded[-2] == "app/config.json"
    # and nothing was cached before: nothing to invalidate
    assert done.invalidated == [] and invalidated(aws) == []


def test_config_json_is_written_from_the_stacks_outputs(aws, dist):
    publish(aws["s3"], aws["cloudfront"], target(aws), dist)
    config = json.loads(stored(aws)["app/config.json"]["Body"].read())
    assert config == {"apiBaseUrl": "/api", "webSocketUrl": OUTPUTS["LiveUpdatesUrl"], "demoSignIn": False,
                      "cognitoEndpoint": "https://cognito-idp.us-east-1.amazonaws.com/",
                      "userPoolClientId": OUTPUTS["UserPoolClientId"], "hostedUiDomain": OUTPUTS["HostedSignInUrl"],
                      "redirectUri": OUTPUTS["DashboardUrl"]}


def test_a_second_publish_uploads_and_invalidates_only_what_changed(aws, dist):
    publish(aws["s3"], aws["cloudfront"], target(aws), dist)
    # Given a rebuild: a new hashed script, and an index.html naming it
    (dist / "assets" / "index-Zz81Qa0b.js").write_text("console.log('page v2')")
    (dist / "index.html").write_bytes(INDEX.replace(b"index-Bq3xYz9A", b"index-Zz81Qa0b"))
    # When it is published
    done = publish(aws["s3"], aws["cloudfront"], target(aws), dist)
    # Then only the new asset and index.html were uploaded; only index.html (replaced) invalidated
    assert sorted(done.uploaded) == ["app/assets/index-Zz81Qa0b.js", "app/index.html"]
    assert "app/config.json" in done.unchanged and "app/assets/index-Bq3xYz9A.js" in done.unchanged
    assert invalidated(aws) == [["/app/index.html"]]
    # and the old asset stays for pages loaded before the publish
    assert "app/assets/index-Bq3xYz9A.js" in stored(aws)


def test_publishing_the_same_build_again_changes_nothing(aws, dist):
    publish(aws["s3"], aws["cloudfront"], target(aws), dist)
    done = publish(aws["s3"], aws["cloudfront"], target(aws), dist)
    assert done.uploaded == [] and invalidated(aws) == []


def test_a_missing_build_says_how_to_make_it(aws, tmp_path):
    with pytest.raises(SystemExit, match="make web"):
        publish(aws["s3"], aws["cloudfront"], target(aws), tmp_path / "nowhere")
