"""`make publish`: the built page (web/dist) into the stack's bucket under app/, where the
distribution serves it at /app/.

- Cache headers as the distribution expects them (clinic_local.edge.cache_control, the same rule
  the local runner serves with): Vite's hashed assets immutable; index.html and config.json
  revalidated on every load.
- config.json is written from the stack's outputs (never the one in web/dist).
- Only files whose bytes changed are uploaded (S3's ETag of a single-part upload is the MD5 of
  its bytes), assets before index.html, so a new index.html never names a missing asset; only
  replaced objects are invalidated (a new hashed asset was never cached). Old assets stay, for
  tabs opened before the publish; the bucket's lifecycle expires replaced versions.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic_local import edge
from clinic_local.webapp import content_type

PREFIX = "app/"
CONFIG = "config.json"
ENTRY = "index.html"
_SKIP = {".built", CONFIG}  # the build stamp; config.json comes from the stack


@dataclass(frozen=True)
class Target:
    bucket: str
    distribution_id: str
    config: Mapping[str, Any]  # config.json

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, str]) -> Target:
        """The stack's outputs (template.yaml) to where and what to publish."""
        return cls(
            bucket=outputs["WebBucketName"],
            distribution_id=outputs["WebDistributionId"],
            config={"apiBaseUrl": outputs["DashboardApiBaseUrl"], "webSocketUrl": outputs.get("LiveUpdatesUrl", ""),
                    "demoSignIn": False, **_sign_in_config(outputs)},
        )


def _sign_in_config(outputs: Mapping[str, str]) -> dict[str, str]:
    """What web/src/auth needs: the pool's regional endpoint (its id starts with the region), the
    page's app client, the hosted UI's origin, and the page's URL for the hosted UI to return to."""
    region = outputs.get("UserPoolId", "").partition("_")[0]
    return {"cognitoEndpoint": f"https://cognito-idp.{region}.amazonaws.com/" if region else "",
            "userPoolClientId": outputs.get("UserPoolClientId", ""),
            "hostedUiDomain": outputs.get("HostedSignInUrl", ""), "redirectUri": outputs.get("DashboardUrl", "")}


@dataclass
class Published:
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)  # CloudFront paths


def files(dist: Path, config: Mapping[str, Any]) -> dict[str, bytes]:
    """Object key -> bytes: every file of the build, and the stack's config.json."""
    if not (dist / ENTRY).is_file():
        raise SystemExit(f"{dist / ENTRY} is missing: run `make web`")
    found = {PREFIX + p.relative_to(dist).as_posix(): p.read_bytes()
             for p in sorted(dist.rglob("*")) if p.is_file() and p.relative_to(dist).as_posix() not in _SKIP}
    found[PREFIX + CONFIG] = (json.dumps(dict(config), indent=2) + "\n").encode()
    return found


def _order(key: str) -> int:
    """Upload order: assets, then config.json, then index.html (what references the rest)."""
    return {PREFIX + CONFIG: 1, PREFIX + ENTRY: 2}.get(key, 0)


def _existing(s3: Any, bucket: str) -> dict[str, str]:
    """Key -> MD5 hex (the ETag) of what is in the bucket under app/."""
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["ETag"].strip('"')
    return found


def publish(s3: Any, cloudfront: Any, target: Target, dist: Path) -> Published:
    result = Published()
    existing = _existing(s3, target.bucket)
    for key, body in sorted(files(dist, target.config).items(), key=lambda kv: (_order(kv[0]), kv[0])):
        if existing.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest():
            result.unchanged.append(key)
            continue
        s3.put_object(Bucket=target.bucket, Key=key, Body=body, ContentType=content_type(key),
                      CacheControl=edge.cache_control(key[len(PREFIX):]))
        result.uploaded.append(key)
        if key in existing:
            result.invalidated.append("/" + key)
    if result.invalidated:
        cloudfront.create_invalidation(DistributionId=target.distribution_id, InvalidationBatch={
            "Paths": {"Quantity": len(result.invalidated), "Items": result.invalidated},
            "CallerReference": f"publish-{time.time_ns()}",
        })
    return result
