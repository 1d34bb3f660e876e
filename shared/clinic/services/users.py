"""User profiles (the Users table) and roles.

One account per person: the Users item is keyed by the sub of the person's native Cognito user,
which is also the sub every token carries, whether they signed in by email link or by Google (a
Google identity is linked to the native user; clinic.services.sign_in). So a route can take the
caller's id straight from the verified token.

``ensure_profile`` makes the first authenticated call create the Users row from the token's
claims (idempotent: a conditional put, so two first calls racing create it once), so a signed-in
user is never "not found". The role lives in two places kept in step by ``set_role``: the Cognito
group ``admin`` (which the pre-token-generation trigger turns into the ``role`` claim and API
Gateway hands over as ``cognito:groups``) and the Users item (what the dashboard shows and staff
search).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from clinic import clock, cognito
from clinic.errors import Forbidden, NotFound, Unauthorized
from clinic.identity import ADMIN_GROUP, Caller
from clinic.models.users import AccountAccess, PatientProfile, ProfileChange, Role, User
from clinic.repositories import auth_table, dynamo, users_table
from clinic.settings import UserPool, get_settings

# Longer than any ID token issued before a deletion stays valid (the template's IdTokenMinutes,
# at most an hour).
DELETED_MARK_SECONDS = 2 * 3600
NAME_CLAIM_MAX = 120


def _user(item: Mapping[str, Any]) -> User:
    return User.model_validate(item)


def _deleted_key(user_id: str) -> str:
    return f"deleted#{user_id}"


def mark_deleted(user_id: str) -> None:
    """Remember for a while that this account was deleted (see ``ensure_profile``)."""
    auth_table.put(_deleted_key(user_id), clock.now_s() + DELETED_MARK_SECONDS)


def was_deleted(user_id: str) -> bool:
    return auth_table.is_live(_deleted_key(user_id), clock.now_s())


def check_account(caller: Caller, *, staff: bool = False) -> None:
    """Refuse a signed, unexpired token whose account no longer stands: 401 once the account was
    deleted or disabled (its Users item says so: ``set_access``), and on staff routes 403 once its
    Users item says it is no longer staff (the item is changed before the group: ``set_role``).
    One strongly consistent GetItem of the Users item; only when there is none (deleted, or a new
    account whose profile is not created yet), one GetItem of the deletion mark."""
    item = users_table.get_consistent(caller.user_id)
    if item is None:
        if was_deleted(caller.user_id):
            raise Unauthorized("authentication required")
        return
    if item.get("disabled"):
        raise Unauthorized("authentication required")
    if staff and item.get("role") != Role.ADMIN.value:
        raise Forbidden("this route is for clinic staff")


def create_profile(user_id: str, email: str, *, name: str | None = None, role: Role = Role.PATIENT) -> bool:
    """Create the Users item unless it exists (idempotent: a conditional put). True when created."""
    user = {"userId": user_id, "email": email, "name": name, "role": role.value, "createdAt": clock.now_ms()}
    return users_table.create({k: v for k, v in user.items() if v is not None})


def ensure_profile(caller: Caller, *, name: str | None = None) -> User:
    """The caller's profile, created on first use. Sign-in triggers create it too, but not on
    every path (a federated sign-in can skip post-confirmation), so any route that needs the
    profile calls this: one GetItem when it exists; when it does not, one read of the
    deleted-account marks (AuthTable: the function needs AUTH_TABLE and GetItem on it) and one
    conditional put."""
    item = users_table.get(caller.user_id)
    if item is not None:
        return _user(item)
    # A token issued before its account was deleted is still signed and unexpired: it must not
    # bring the profile back. This check costs a read only on the creating path.
    if not caller.email or was_deleted(caller.user_id):
        raise Unauthorized("authentication required")
    claimed = caller.name.strip()[:NAME_CLAIM_MAX] if caller.name and caller.name.strip() else None
    role = Role.ADMIN if caller.is_admin else Role.PATIENT
    create_profile(caller.user_id, caller.email, name=name or claimed, role=role)
    item = users_table.get_consistent(caller.user_id)
    if item is None:  # deleted between the put and the read
        raise NotFound("no such user")
    return _user(item)


def update_profile(caller: Caller, change: ProfileChange) -> User:
    """A new name moves the patient's look-up items of staff search in the same transaction
    (a concurrent change of the profile is read again; a 409 only if that keeps happening)."""
    ensure_profile(caller)
    fields = {k: v for k, v in change.model_dump(by_alias=True).items() if v is not None}
    item = users_table.update_profile(caller.user_id, fields)
    if item is None:
        raise NotFound("no such user")
    return _user(item)


def get(user_id: str) -> User:
    item = users_table.get(user_id)
    if item is None:
        raise NotFound("no such user")
    return _user(item)


def get_with_access(user_id: str) -> PatientProfile:
    """The profile and whether the account is enabled (the Users item's ``disabled`` mark, which
    ``set_access`` writes), read strongly consistently: staff see a change they just made."""
    item = users_table.get_consistent(user_id)
    if item is None:
        raise NotFound("no such user")
    return PatientProfile.model_validate({**item, "enabled": not item.get("disabled")})


def set_role(user_id: str, role: Role, *,
             also: Callable[[str], Sequence[Mapping[str, Any]]] = lambda previous: ()) -> User:
    """Make ``user_id`` a patient or an admin: the Users item (created if missing) with the writes
    ``also`` returns for the role read before the change (e.g. the audit record) in one
    transaction (a patient's look-up items of staff search come or go with it), then the Cognito
    group. The item goes first so no
    group change is ever unrecorded; both steps are idempotent, so repeating a failed call
    completes it. A demoted admin or a promoted patient is signed out everywhere, so no refresh
    token from before mints a token of the new role; an ID token already issued stays valid until
    it expires (IdTokenMinutes, 5 by default).
    Raises NotFound for an unknown user id; a concurrent change of the item is a 409."""
    pool_id, person, item = _pool_user_and_item(user_id)
    previous = str(item.get("role") or Role.PATIENT.value)
    dynamo.write([*users_table.role_update_actions(user_id, item, role.value), *also(previous)])
    was_admin = ADMIN_GROUP in cognito.groups_of(pool_id, person.username)
    if role is Role.ADMIN:
        cognito.add_to_group(pool_id, person.username, ADMIN_GROUP)
    else:
        cognito.remove_from_group(pool_id, person.username, ADMIN_GROUP)
    if was_admin != (role is Role.ADMIN):
        # Either way no refresh token from before may mint the new role's tokens: a demoted admin
        # keeps none, and a promoted person signs in again, through the second factor.
        cognito.sign_out_everywhere(pool_id, person.username)
    return _user({**item, "role": role.value})


def set_access(user_id: str, enabled: bool, *,
               also: Callable[[bool], Sequence[Mapping[str, Any]]] = lambda was_enabled: ()) -> AccountAccess:
    """Disable an account or enable it again: the Users item's ``disabled`` mark with the writes
    ``also`` returns for the state read before the change (the audit record) in one transaction,
    then Cognito (AdminDisableUser / AdminEnableUser). The mark goes first and is what
    ``check_account`` reads, so a disabled account's tokens already issued are refused at once
    on every write, the export, staff routes and ``$connect``, for no request more than that check
    makes; Cognito then refuses its sign-ins and refreshes. Both steps are idempotent: repeating
    a failed call completes it. Raises NotFound for an unknown user id; a concurrent change of
    the item is a 409."""
    pool_id, person, item = _pool_user_and_item(user_id)
    was_enabled = not item.get("disabled")
    dynamo.write([users_table.access_update_action(user_id, enabled, item.get("version")), *also(was_enabled)])
    cognito.set_enabled(pool_id, person.username, enabled)
    return AccountAccess(user_id=user_id, enabled=enabled)


def _pool_user_and_item(user_id: str) -> tuple[str, cognito.PoolUser, Mapping[str, Any]]:
    """The pool, the pool's user with this sub and its Users item (created if the person never
    called the API). NotFound when the pool has no such user."""
    pool_id = get_settings(UserPool).user_pool_id
    person = cognito.user_by_sub(pool_id, user_id)
    if person is None:
        raise NotFound("no such user")
    # Consistent: the change is conditioned on this version and moves the look-up items it names.
    item = users_table.get_consistent(user_id)
    if item is None:
        if not person.email:
            raise NotFound("no such user")
        create_profile(user_id, person.email, role=Role.PATIENT)
        item = users_table.get_consistent(user_id) or {}
    return pool_id, person, item
