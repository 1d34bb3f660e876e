"""The user pool, through the few admin operations this backend needs (botocore ``cognito-idp``).

Every function takes the pool id: triggers read it from their event (their environment cannot
name the pool that invokes them without a dependency cycle in the template), API functions from
``USER_POOL_ID``. Emails passed here are normalized and validated (clinic.services.email_links),
so they never need escaping in a ListUsers filter.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from clinic import aws

NATIVE = "Cognito"
EXTERNAL_STATUS = "EXTERNAL_PROVIDER"
TOTP = "SOFTWARE_TOKEN_MFA"


@dataclass(frozen=True, slots=True)
class PoolUser:
    username: str
    sub: str
    email: str | None
    email_verified: bool
    status: str
    name: str | None = None

    @property
    def is_native(self) -> bool:
        return self.status != EXTERNAL_STATUS


def _idp() -> Any:
    return aws.client("cognito-idp")


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _user(raw: dict[str, Any]) -> PoolUser:
    attrs = {a["Name"]: a["Value"] for a in raw.get("Attributes", raw.get("UserAttributes", []))}
    return PoolUser(
        username=raw["Username"], sub=attrs.get("sub", ""), email=attrs.get("email"),
        email_verified=str(attrs.get("email_verified", "")).lower() == "true",
        status=raw.get("UserStatus", ""), name=attrs.get("name"),
    )


def _list(pool_id: str, filter_: str) -> list[PoolUser]:
    response = _idp().list_users(UserPoolId=pool_id, Filter=filter_, Limit=10)
    return [_user(u) for u in response.get("Users", [])]


def native_user_by_email(pool_id: str, email: str) -> PoolUser | None:
    """The pool's own (non-federated) user with this email; the email is its username, so there
    is at most one."""
    return next((u for u in _list(pool_id, f'email = "{email}"') if u.is_native), None)


def user_by_sub(pool_id: str, sub: str) -> PoolUser | None:
    return next(iter(_list(pool_id, f'sub = "{sub}"')), None)


def _unguessable_password() -> str:
    # Nobody ever learns it: these accounts sign in by email link or Google. It only satisfies
    # the pool's password policy, which AdminSetUserPassword enforces.
    alphabet = string.ascii_letters + string.digits
    return "Aa1-" + "".join(secrets.choice(alphabet) for _ in range(40))


def create_native_user(pool_id: str, email: str, name: str | None) -> PoolUser:
    """A confirmed user with a verified email and no usable password (no invitation sent)."""
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    if name:
        attributes.append({"Name": "name", "Value": name})
    created = _idp().admin_create_user(UserPoolId=pool_id, Username=email, UserAttributes=attributes,
                                       MessageAction="SUPPRESS")["User"]
    _idp().admin_set_user_password(UserPoolId=pool_id, Username=created["Username"],
                                   Password=_unguessable_password(), Permanent=True)
    user = _user(created)
    return PoolUser(user.username, user.sub, email, True, "CONFIRMED", name)


def link_provider(pool_id: str, username: str, provider: str, provider_user_id: str) -> None:
    """Make the federated identity sign in as ``username`` (its tokens then carry that user's sub)."""
    _idp().admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": NATIVE, "ProviderAttributeValue": username},
        SourceUser={"ProviderName": provider, "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": provider_user_id},
    )


def add_to_group(pool_id: str, username: str, group: str) -> None:
    _idp().admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def remove_from_group(pool_id: str, username: str, group: str) -> None:
    _idp().admin_remove_user_from_group(UserPoolId=pool_id, Username=username, GroupName=group)


def set_enabled(pool_id: str, username: str, enabled: bool) -> None:
    """Let the user sign in again, or not: a disabled user cannot sign in nor refresh a token."""
    if enabled:
        _idp().admin_enable_user(UserPoolId=pool_id, Username=username)
    else:
        _idp().admin_disable_user(UserPoolId=pool_id, Username=username)


def sign_out_everywhere(pool_id: str, username: str) -> None:
    """Revoke every refresh token of the user (ID and access tokens expire within the hour)."""
    try:
        _idp().admin_user_global_sign_out(UserPoolId=pool_id, Username=username)
    except ClientError as error:
        if error_code(error) != "UserNotFoundException":
            raise


def delete_user(pool_id: str, username: str) -> None:
    try:
        _idp().admin_delete_user(UserPoolId=pool_id, Username=username)
    except ClientError as error:
        if error_code(error) != "UserNotFoundException":
            raise


def has_totp(pool_id: str, username: str) -> bool:
    """Whether the user has turned on an authenticator app (software-token MFA): with the pool's
    MFA OPTIONAL, Cognito then asks for its code at every sign-in through the user pool."""
    user = _idp().admin_get_user(UserPoolId=pool_id, Username=username)
    return TOTP in (user.get("UserMFASettingList") or [])


def groups_of(pool_id: str, username: str) -> set[str]:
    response = _idp().admin_list_groups_for_user(UserPoolId=pool_id, Username=username, Limit=60)
    return {g["GroupName"] for g in response.get("Groups", [])}
