"""Clinic staff and their patients. Every read or change of a patient's records goes through
here, so none escapes the audit: ``read`` records it in the same request, ``change`` hands the
audit record's Put to the service to write in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import TypeAdapter

from clinic import names
from clinic.errors import Conflict, InvalidInput
from clinic.identity import Caller
from clinic.models.users import AccountAccess, PatientProfile, Role, User, UserPage
from clinic.repositories import patient_names_table as name_lookups
from clinic.repositories import users_table
from clinic.services import audit, cursors, live, users

T = TypeVar("T")
_users = TypeAdapter(list[User])


def read(actor: Caller, patient_id: str, resource: str, fetch: Callable[[], T]) -> T:
    """``fetch()`` for an existing patient (404 otherwise), recorded as read by ``actor``."""
    users.get(patient_id)
    result = fetch()
    audit.record_read(actor, patient_id, resource)
    return result


def change(actor: Caller, patient_id: str, what: str, resource: str,
           apply: Callable[[list[Mapping[str, Any]]], T], *, reason: str | None = None) -> T:
    """``apply(also)`` for an existing patient, where ``also`` holds the audit record's Put for
    the change's own transaction: the change and its record are written together or not at all.
    ``reason``: why, as the staff member gave it (kept on the record)."""
    users.get(patient_id)
    return apply([audit.action(actor, patient_id, what, resource, reason)])


def get(actor: Caller, patient_id: str) -> PatientProfile:
    return read(actor, patient_id, "profile", lambda: users.get_with_access(patient_id))


def list_patients(actor: Caller, *, email: str | None, limit: int, cursor: str | None,
                  name: str | None = None) -> UserPage:
    """Patients newest first (ByRole), the one user with ``email`` (ByEmail), or the patients with
    a word of their name starting with each word of ``name`` (PatientNames). Every patient listed
    is recorded as read (names and emails are part of their records)."""
    if email is not None and name is not None:
        raise InvalidInput("give email or name, not both",
                           [{"in": "query", "field": "name", "issue": "one_of_email_name"}])
    if name is not None:
        page = search_by_name(actor, name, limit=limit, cursor=cursor)
    elif email is not None:
        page = UserPage(items=_users.validate_python(users_table.find_by_email(email)[:1]), next_cursor=None)
    else:
        scope = "patients.list"
        position = cursors.decode(cursor, actor.user_id, scope) if cursor else {}
        found = users_table.page_by_role(Role.PATIENT.value, limit=limit, after=position.get("key"))
        next_cursor = cursors.encode(actor.user_id, scope, {"key": found.position}) if found.position else None
        page = UserPage(items=_users.validate_python(found.items), next_cursor=next_cursor)
    if page.items:
        audit.record_reads(actor, [u.user_id for u in page.items], "profile")
    return page


def search_by_name(actor: Caller, name: str, *, limit: int, cursor: str | None) -> UserPage:
    """Patients whose current name has a word starting with each word of ``name`` (case and
    accents folded), in the order of the word the longest one starts: one Query of their look-up
    items (docs/decisions.md 63), then one BatchGetItem of the page's profiles. A look-up item the
    Query read before its patient's last change (an eventually consistent read) no longer
    matching the profile is left out. The cursor is bound to the staff member and the folded
    search, so it cannot continue another search."""
    terms = names.words(name)
    if not any(len(t) >= names.PREFIX_LETTERS for t in terms):  # the declared pattern says so too
        raise InvalidInput("the request is invalid", [{"in": "query", "field": "name", "issue": "too_short",
                                                       "message": "give a word of at least two letters"}])
    scope = "patients.by-name\x1f" + " ".join(terms)
    position = cursors.decode(cursor, actor.user_id, scope) if cursor else {}
    found = name_lookups.search(terms, limit=limit, after=position.get("key"))
    profiles = users_table.get_many([item["userId"] for item in found.items])
    listed = [profiles[item["userId"]] for item in found.items if _still_found(profiles.get(item["userId"]), terms)]
    next_cursor = cursors.encode(actor.user_id, scope, {"key": found.position}) if found.position else None
    return UserPage(items=_users.validate_python(listed), next_cursor=next_cursor)


def _still_found(profile: Mapping[str, Any] | None, terms: list[str]) -> bool:
    index = users_table.name_index(profile) if profile else None
    if index is None:
        return False
    words = index.split()
    return all(any(word.startswith(term) for word in words) for term in terms)


def change_access(actor: Caller, user_id: str, enabled: bool) -> AccountAccess:
    # Who disabled or enabled whose account, from what to what. Not one's own: a staff member
    # locked out by a slip has no one signed in to undo it.
    if user_id == actor.user_id:
        raise Conflict("staff cannot change their own account's access; another staff member can")
    def state(on: bool) -> str:
        return "enabled" if on else "disabled"
    access = users.set_access(user_id, enabled, also=lambda was_enabled: [
        audit.action(actor, user_id, audit.ACCESS_CHANGE, f"access:{state(was_enabled)}->{state(enabled)}")])
    if not enabled:
        live.close_connections(user_id)  # its open pages stop hearing of changes now
    return access


def change_role(actor: Caller, user_id: str, role: Role) -> User:
    # Who changed whose role from what to what (role names are not PHI). Not one's own: the last
    # staff member demoting themselves would leave the clinic with none.
    if user_id == actor.user_id:
        raise Conflict("staff cannot change their own role; another staff member can")
    return users.set_role(user_id, role, also=lambda previous: [
        audit.action(actor, user_id, audit.ROLE_CHANGE, f"role:{previous}->{role.value}")])
