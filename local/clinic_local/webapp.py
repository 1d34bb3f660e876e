"""The demo dashboard (web/, built by Vite into web/dist) served by the runner as the deployed
distribution serves it (clinic_local.edge): the page at /app/, the API under /api/ on the same
origin, the same response headers (CSP included) and cache headers. Its runtime config.json
(API base URL, WebSocket URL, demo sign-in) is generated here, as `make publish` writes one from
the stack's outputs, so one build runs both ways."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from clinic_local import edge
from clinic_tools import template

DIST = template.ROOT / "web" / "dist"
PREFIX = edge.PAGE_PREFIX
COGNITO_ENDPOINT = "/cognito-idp/"  # clinic_local.cognito_api.PATH (not imported: it needs the stack's modules)
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8",
          ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
Answer = tuple[int, dict[str, list[str]], bytes]


def content_type(name: str) -> str:
    suffix = Path(name).suffix
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


@dataclass(frozen=True)
class WebApp:
    dist: Path
    web_socket_url: str  # "" when the runner serves no live socket
    user_pool_client_id: str = ""  # the page's app client in the runner's pool

    def config(self) -> bytes:
        # Sign-in: the runner serves the user pool's API and hosted UI on the page's own origin
        # (clinic_local.cognito_api, hosted_ui), so the endpoints are paths and the CSP's 'self'.
        return json.dumps({"apiBaseUrl": edge.API_PREFIX, "webSocketUrl": self.web_socket_url,
                           "demoSignIn": True, "cognitoEndpoint": COGNITO_ENDPOINT,
                           "userPoolClientId": self.user_pool_client_id, "hostedUiDomain": "",
                           "redirectUri": f"{PREFIX}/"}).encode()

    def headers(self) -> dict[str, list[str]]:
        """What the distribution's response headers policy adds to every answer."""
        return edge.headers(edge.origin_of(self.web_socket_url))

    def answer(self, path: str) -> Answer | None:
        """The answer for a GET of ``path``, or None when it is not the page's."""
        route = edge.page_route(path)
        if route is None:
            return None
        kind, where = route
        if kind == "redirect":
            return 301, {"Location": [where], "Cache-Control": [edge.REVALIDATE], **self.headers()}, b""
        relative = where[len(PREFIX) + 1:]
        cache = {"Cache-Control": [edge.cache_control(relative)]}
        if relative == "config.json":
            return 200, {"Content-Type": ["application/json"], **cache, **self.headers()}, self.config()
        if not (self.dist / "index.html").is_file():
            return 404, {"Content-Type": ["text/plain; charset=utf-8"]}, b"web/dist is missing: run `make web`\n"
        root = self.dist.resolve()
        target = (root / relative).resolve()
        if root not in target.parents or not target.is_file():  # no climbing out of dist
            return 404, {"Content-Type": ["text/plain; charset=utf-8"], **self.headers()}, b"not found\n"
        return 200, {"Content-Type": [content_type(target.name)], **cache, **self.headers()}, target.read_bytes()
