"""Passwordless sign-in by email link: request a link, then redeem it in Cognito's custom
authentication challenge (clinic.services.sign_in).

- The link carries a random 256-bit secret. Only ``sha256(email, secret)`` is stored, with a TTL
  (15 minutes by default), so the link is bound to the address it was sent to: the same secret
  presented for another address, or altered in any way, finds nothing.
- Redeeming deletes the record with one conditional DeleteItem: a link works exactly once.
- Asking for a link does the same work whoever the address belongs to, or whether it belongs to
  anyone: count the request, store a link, send it. There is no lookup to skip, so the answer, its
  timing and the DynamoDB requests are the same for a patient's address and for a stranger's.
  A link sent to a new address signs its owner up (clinic.services.sign_in.pre_sign_up).
- Requests are counted per address and per source IP in fixed windows (keyed hashes, TTL); the
  WAF rule on the user pool limits the calls that go to Cognito directly.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from urllib.parse import quote

from clinic import clock, mail
from clinic.errors import RateLimited
from clinic.models.auth import normalize_email
from clinic.observability import metrics
from clinic.repositories import auth_table
from clinic.settings import EmailLinks, get_settings
from clinic.signing_keys import signing_key

SECRET_BYTES = 32
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")

SUBJECT = "Your sign-in link"
RATE_LIMITED = "too many sign-in link requests; try again later"


def _key() -> bytes:
    settings = get_settings(EmailLinks)
    return signing_key(settings.auth_key, settings.auth_key_secret_arn)


def _keyed(kind: str, value: str) -> str:
    return hmac.new(_key(), f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def link_key(email: str, secret: str) -> str:
    return "link#" + hashlib.sha256(f"{email}\x1f{secret}".encode()).hexdigest()


def link_url(email: str, secret: str) -> str:
    base = get_settings(EmailLinks).email_link_url
    return f"{base}#token={secret}&email={quote(email, safe='@')}"


def _message(email: str, secret: str) -> mail.Email:
    minutes = get_settings(EmailLinks).email_link_ttl_seconds // 60
    text = (
        "Sign in to your clinic dashboard with this link. It works once and expires in "
        f"{minutes} minutes.\n\n{link_url(email, secret)}\n\n"
        "If you did not ask for it, you can ignore this email: nobody can sign in without opening the link."
    )
    return mail.Email(to=email, subject=SUBJECT, text=text)


def request_link(email: str, source_ip: str | None, *, now: int | None = None) -> None:
    """Count the request, store a fresh link and send it. ``email`` is already normalized.

    Raises RateLimited when this address or this IP asked too often in the current window;
    that answer depends on the requests made, never on whether the address has an account.
    """
    settings = get_settings(EmailLinks)
    now = clock.now_s() if now is None else now
    window = settings.email_link_window_seconds
    index = now // window
    counters_expire = (index + 1) * window + 60
    retry_after_s = (index + 1) * window - now  # the counters start over with the next window
    if source_ip and not auth_table.count(f"rl#ip#{_keyed('ip', source_ip)}#{index}",
                                          settings.email_link_max_per_ip, counters_expire):
        metrics.add_metric(name="EmailLinkRateLimited", unit="Count", value=1)
        raise RateLimited(RATE_LIMITED, retry_after_s=retry_after_s)
    if not auth_table.count(f"rl#email#{_keyed('email', email)}#{index}",
                            settings.email_link_max_per_email, counters_expire):
        metrics.add_metric(name="EmailLinkRateLimited", unit="Count", value=1)
        raise RateLimited(RATE_LIMITED, retry_after_s=retry_after_s)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    auth_table.put(link_key(email, secret), now + settings.email_link_ttl_seconds)
    mail.sender().send(_message(email, secret))
    metrics.add_metric(name="EmailLinksSent", unit="Count", value=1)


def _parts(email: str, answer: str) -> tuple[str, str] | None:
    normalized = normalize_email(email) if isinstance(email, str) else None
    if normalized is None or not isinstance(answer, str) or not _SECRET.match(answer):
        return None
    return normalized, answer


def redeem(email: str, answer: str, *, now: int | None = None) -> bool:
    """Consume the link ``answer`` for ``email``: True once; False for a used, expired, altered
    or foreign link (one request, the same for every kind of failure)."""
    parts = _parts(email, answer)
    if parts is None:
        return False
    return auth_table.consume(link_key(*parts), clock.now_s() if now is None else now)


def is_live(email: str, answer: str, *, now: int | None = None) -> bool:
    """Whether ``answer`` is a usable link for ``email``, without consuming it."""
    parts = _parts(email, answer)
    if parts is None:
        return False
    return auth_table.is_live(link_key(*parts), clock.now_s() if now is None else now)
