"""User profiles (the Users table) and roles.

One account per person: the Users item is keyed by the sub of the person's native Cognito user,
which is also the sub every token carries, whether they signed in by email link or by Google (a
Google identity is linked to the native user; clinic.services.sign_in). So a route can take the
caller's id straight from the verified token.

The role lives in two places kept in step by ``set_role``: the Cognito group ``admin`` (which
the pre-token-generation trigger turns into the ``role`` claim and API Gateway hands over as
``cognito:groups``) and the Users item (what the dashboard shows and staff search).
"""

from __future__ import annotations

import time

from clinic import cognito
from clinic.api.auth import ADMIN_GROUP, Caller
from clinic.errors import NotFound, Unauthorized
from clinic.models.users import Role, User
from clinic.repositories import auth as auth_items
from clinic.repositories import users
from clinic.settings import require

# Longer than any ID token issued before a deletion stays valid (1 hour).
DELETED_MARK_SECONDS = 2 * 3600


def _now_ms() -> int:
    return int(time.time() * 1000)


def _deleted_key(user_id: str) -> str:
    return f"deleted#{user_id}"


def mark_deleted(user_id: str) -> None:
    """Remember for a while that this account was deleted (see ``ensure_profile``)."""
    auth_items.put(_deleted_key(user_id), int(time.time()) + DELETED_MARK_SECONDS)


def create_profile(user_id: str, email: str, *, name: str | None = None, role: Role = Role.PATIENT) -> bool:
    """Create the Users item unless it exists (idempotent: a conditional put). True when created."""
    return users.put_if_absent({"userId": user_id, "email": email, "name": name, "role": role.value,
                                "createdAt": _now_ms()})


def ensure_profile(caller: Caller, *, name: str | None = None) -> User:
    """The caller's profile, created on first use. Sign-in triggers create it too, but not on
    every path (a federated sign-in can skip post-confirmation), so any route that needs the
    profile calls this: one GetItem when it exists; when it does not, one read of the
    deleted-account marks (AuthTable: the function needs AUTH_TABLE and GetItem on it) and one
    conditional put."""
    item = users.get(caller.user_id)
    if item is None:
        # A token issued before its account was deleted is still signed and unexpired: it must
        # not bring the profile back. This check costs a read only on the creating path.
        if not caller.email or auth_items.is_live(_deleted_key(caller.user_id), int(time.time())):
            raise Unauthorized("authentication required")
        role = Role.ADMIN if caller.is_admin else Role.PATIENT
        create_profile(caller.user_id, caller.email, name=name, role=role)
        item = users.get_consistent(caller.user_id)
        if item is None:  # deleted between the put and the read
            raise NotFound("no such user")
    return User.model_validate(item)


def set_role(user_id: str, role: Role) -> User:
    """Make ``user_id`` a patient or an admin: the Cognito group and the Users item both change.

    Idempotent and safe to retry (group first, then the item). A demoted admin is signed out
    everywhere, so no refresh token can mint another admin token; an ID token already issued
    stays valid until it expires (at most an hour). Raises NotFound for an unknown user id.
    """
    pool_id = require("user_pool_id")
    user = cognito.user_by_sub(pool_id, user_id)
    if user is None:
        raise NotFound("no such user")
    if role is Role.ADMIN:
        cognito.add_to_group(pool_id, user.username, ADMIN_GROUP)
    else:
        was_admin = ADMIN_GROUP in cognito.groups_of(pool_id, user.username)
        cognito.remove_from_group(pool_id, user.username, ADMIN_GROUP)
        if was_admin:
            cognito.sign_out_everywhere(pool_id, user.username)
    item = users.set_role(user_id, role.value, email=user.email, created_at=_now_ms())
    return User.model_validate(item)
