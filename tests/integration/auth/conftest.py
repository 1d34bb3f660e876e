"""Sign-in fixtures: the user pool from template.yaml on in-process moto, SES with the sender's
identity verified, and the one pool operation moto lacks (linking a federated identity)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from clinic import aws, mail, settings
from clinic.services import users
from clinic_local import stack as local_stack
from clinic_tools import template
from tests.support import env

REGION = "us-east-1"


@dataclass
class Pool:
    id: str
    client_id: str
    links: list[dict[str, Any]] = field(default_factory=list)  # AdminLinkProviderForUser calls

    def stack(self) -> local_stack.LocalStack:
        """What the local runner's sign-in host needs to drive the triggers against this pool."""
        return local_stack.LocalStack(endpoint=None, region=REGION, prefix=env.TABLE_PREFIX,  # type: ignore[arg-type]
                                      tables=env.table_names(), user_pool_id=self.id,
                                      client_ids={"UserPoolClient": self.client_id}, cursor_key=env.CURSOR_KEY)


def _set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings.reset()
    mail.sender.cache_clear()


@pytest.fixture
def user_pool(tables: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Pool]:
    """The template's pool, client and groups on moto; USER_POOL_ID points at it."""
    idp = aws.client("cognito-idp")
    pool_id, client_ids = local_stack.create_user_pool(None, env.TABLE_PREFIX, REGION, idp=idp)  # type: ignore[arg-type]
    pool = Pool(pool_id, client_ids["UserPoolClient"])

    def link(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        # moto has no AdminLinkProviderForUser: record the request, answer as Cognito does (empty).
        pool.links.append(json.loads(params["body"]))
        return SimpleNamespace(status_code=200, headers={}), {}

    idp.meta.events.register("before-call.cognito-identity-provider.AdminLinkProviderForUser", link)
    _set_env(monkeypatch, USER_POOL_ID=pool_id)
    yield pool
    idp.meta.events.unregister("before-call.cognito-identity-provider.AdminLinkProviderForUser", link)
    monkeypatch.undo()
    settings.reset()
    mail.sender.cache_clear()


@pytest.fixture
def outbox(tables: dict[str, str]) -> list[Any]:
    """Messages sent through SES (moto), with the template's sender identity verified."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    identity = template.parameter_defaults()["EmailSenderIdentity"]
    aws.client("sesv2").create_email_identity(EmailIdentity=identity)
    mail.sender.cache_clear()
    return ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages  # type: ignore[no-any-return]


def link_in(message: Any) -> tuple[str, str]:
    """(email, token) from the link in a sent message."""
    url = re.search(r"https?://\S+", message.body).group(0)  # type: ignore[union-attr]
    fragment = parse_qs(urlsplit(url).fragment)
    return fragment["email"][0], fragment["token"][0]


def create_native_user(email: str, *, verified: bool = True, name: str = "Test Person") -> dict[str, Any]:
    """A native user made the way an admin or the seed would (no triggers run on moto)."""
    created = aws.client("cognito-idp").admin_create_user(
        UserPoolId=os.environ["USER_POOL_ID"], Username=email, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name},
                        {"Name": "email_verified", "Value": "true" if verified else "false"}],
    )["User"]
    attributes = {a["Name"]: a["Value"] for a in created["Attributes"]}
    return {"username": created["Username"], "sub": attributes["sub"], "email": email}


@pytest.fixture
def staff(user_pool: Any) -> dict[str, Any]:
    """A staff member of the user pool (its Users item in the admin role)."""
    person = create_native_user("staff.member@example.com")
    users.set_role(person["sub"], users.Role.ADMIN)
    return person
