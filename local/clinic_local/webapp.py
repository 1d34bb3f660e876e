"""The demo dashboard (web/, built by Vite into web/dist) served by the runner at /app/, on the
API's own origin: the page calls the API without CORS, and its runtime config.json (API base URL,
WebSocket URL, demo sign-in) is generated here, so one build also runs deployed with another
config.json beside it."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from clinic_local import template

DIST = template.ROOT / "web" / "dist"
PREFIX = "/app"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8",
          ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
# The page and its assets only; the ID token never goes in a URL of the page, and no referrer leaks.
_SECURITY = {"X-Content-Type-Options": ["nosniff"], "Referrer-Policy": ["no-referrer"],
             "Cache-Control": ["no-cache"]}
Answer = tuple[int, dict[str, list[str]], bytes]


@dataclass(frozen=True)
class WebApp:
    dist: Path
    web_socket_url: str  # "" when the runner serves no live socket

    def config(self) -> bytes:
        return json.dumps({"apiBaseUrl": "", "webSocketUrl": self.web_socket_url, "demoSignIn": True}).encode()

    def answer(self, path: str) -> Answer | None:
        """The answer for a GET of ``path``, or None when it is not the page's."""
        if path == PREFIX:
            return 308, {"Location": [f"{PREFIX}/"], **_SECURITY}, b""
        if not path.startswith(f"{PREFIX}/"):
            return None
        relative = path[len(PREFIX) + 1:] or "index.html"
        if relative == "config.json":
            return 200, {"Content-Type": ["application/json"], **_SECURITY}, self.config()
        if not (self.dist / "index.html").is_file():
            return 404, {"Content-Type": ["text/plain; charset=utf-8"]}, b"web/dist is missing: run `make web`\n"
        root = self.dist.resolve()
        target = (root / relative).resolve()
        if root not in target.parents or not target.is_file():  # no climbing out of dist
            return 404, {"Content-Type": ["text/plain; charset=utf-8"]}, b"not found\n"
        kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return 200, {"Content-Type": [kind], **_SECURITY}, target.read_bytes()
