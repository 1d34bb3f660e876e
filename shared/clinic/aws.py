"""AWS clients, created once per process and reused across invocations.

Functions use botocore directly: ``boto3`` adds s3transfer and resource machinery to every cold
start and gives these handlers nothing they need (docs/decisions.md has the measurement). The
endpoint honours ``AWS_ENDPOINT_URL``, which is how the local runner points everything at moto.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
)

_overrides: dict[str, Any] = {}


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _create(service: str, endpoint_url: str | None) -> Any:
    return _session().create_client(service, endpoint_url=endpoint_url, config=_CONFIG)


def client(service: str, endpoint_url: str | None = None) -> Any:
    """The process-wide client for ``service`` (an injected one in tests). ``endpoint_url`` is for
    a service with one endpoint per resource (a WebSocket API's management endpoint): one client
    per endpoint."""
    return _overrides.get(service) or _create(service, endpoint_url)


def dynamodb() -> Any:
    return client("dynamodb")


def override(service: str, replacement: Any | None) -> None:
    """Tests inject a stubbed or counting client; ``None`` removes the override."""
    if replacement is None:
        _overrides.pop(service, None)
    else:
        _overrides[service] = replacement


def reset() -> None:
    """Forget every client (tests that change endpoints or credentials call this)."""
    _overrides.clear()
    _create.cache_clear()
    _session.cache_clear()
