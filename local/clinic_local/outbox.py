"""The runner's outbox page (GET /local/outbox): the sign-in emails the functions sent with
EMAIL_SENDER=console, newest first, their links clickable. Local only, like the console."""

from __future__ import annotations

import html
import re

from clinic.mail import OUTBOX

PATH = "/local/outbox"
Answer = tuple[int, dict[str, list[str]], bytes]
_LINK = re.compile(r"(https?://\S+)")


def page(method: str, query: str, headers: dict[str, str], body: bytes | None) -> Answer:
    if method not in ("GET", "HEAD"):
        return 405, {"Content-Type": ["text/plain; charset=utf-8"]}, b"method not allowed\n"
    items = "".join(
        f"<li><p><strong>{html.escape(e.to)}</strong>: {html.escape(e.subject)}</p><pre>"
        + _LINK.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', html.escape(e.text)) + "</pre></li>"
        for e in list(OUTBOX))
    text = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Outbox (local)</title></head>'
            f"<body><h1>Outbox (make dev only)</h1><ol>{items or '<li>No email sent yet.</li>'}</ol></body></html>")
    return 200, {"Content-Type": ["text/html; charset=utf-8"]}, text.encode()
