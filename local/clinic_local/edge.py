"""What the CloudFront distribution (template.yaml, the hosting block) does in front of the page
and the API, for the local runner: the same paths (the page at /app/, the API under /api/) and
the same response headers, read from the template's WebResponseHeadersPolicy, so a Content
Security Policy violation shows in a local browser exactly as it would deployed."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from clinic_tools import template

PAGE_PREFIX = "/app"
API_PREFIX = "/api"
POLICY = "WebResponseHeadersPolicy"
# The page's bucket answers: hashed build output never changes; the entry points always revalidate.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"(^|/)assets/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")


def cache_control(key: str) -> str:
    """The Cache-Control of a file of the build (a path relative to web/dist): Vite's hashed
    assets are immutable; index.html, config.json and anything else revalidate."""
    return IMMUTABLE if _HASHED.search(key) else REVALIDATE


def api_path(path: str) -> str | None:
    """The API route a distribution path reaches (ApiPathViewerRequest), or None outside /api/."""
    if not path.startswith(f"{API_PREFIX}/"):
        return None
    return path[len(API_PREFIX):]


def page_route(path: str) -> tuple[str, str] | None:
    """WebRoutingViewerRequest: ("redirect", location), ("serve", path under the page), or None when
    the path is not the page's."""
    if path in ("/", PAGE_PREFIX):
        return "redirect", f"{PAGE_PREFIX}/"
    if not path.startswith(f"{PAGE_PREFIX}/"):
        return None
    if "." not in path.rsplit("/", 1)[-1]:  # one of the page's own routes
        return "serve", f"{PAGE_PREFIX}/index.html"
    return "serve", path


def _policy() -> dict[str, Any]:
    config: dict[str, Any] = template.load()["Resources"][POLICY]["Properties"]["ResponseHeadersPolicyConfig"]
    return config


def content_security_policy(origins: dict[str, str]) -> str:
    """The template's CSP with each ``${Name}`` replaced by ``origins[Name]`` (the local
    stand-ins for the deployed WebSocket and Cognito origins; "" drops one)."""
    text, _ = _policy()["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: origins[m.group(1)], text)
    return re.sub(r" +;", ";", re.sub(r" {2,}", " ", rendered))


@cache
def _static_headers() -> tuple[tuple[str, str], ...]:
    security = _policy()["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    found = [
        ("Strict-Transport-Security", f"max-age={hsts['AccessControlMaxAgeSec']}"
         + ("; includeSubDomains" if hsts.get("IncludeSubdomains") else "")
         + ("; preload" if hsts.get("Preload") else "")),
        ("X-Frame-Options", security["FrameOptions"]["FrameOption"]),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", security["ReferrerPolicy"]["ReferrerPolicy"]),
    ]
    found += [(item["Header"], item["Value"]) for item in _policy()["CustomHeadersConfig"]["Items"]]
    return tuple(found)


def headers(live_updates_origin: str) -> dict[str, list[str]]:
    """The headers WebResponseHeadersPolicy adds to every answer (page and API), locally: the
    CSP's connect-src names the runner's WebSocket instead of the deployed one, and no Cognito
    origin (the local page signs in through the runner)."""
    csp = content_security_policy({"LiveUpdatesOrigin": live_updates_origin, "CognitoOrigins": ""})
    return {"Content-Security-Policy": [csp], **{name: [value] for name, value in _static_headers()}}


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL ("" for "")."""
    match = re.match(r"^([a-z]+://[^/?#]+)", url)
    return match.group(1) if match else ""
