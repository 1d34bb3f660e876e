"""Every read or change of a patient's records by clinic staff leaves an Audit record: who
(actor), whose (patient), what (action, resource: names of things, never values) and when.
Reads are recorded in the same request; changes in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pydantic import TypeAdapter

from clinic import clock
from clinic.errors import InvalidInput
from clinic.identity import Caller
from clinic.models.audit import AuditEvent, AuditExportPage, AuditPage
from clinic.models.users import Role
from clinic.observability import logger
from clinic.repositories import audit_table, users_table
from clinic.services import cursors

READ, CREATE, UPDATE, ROLE_CHANGE, ACCESS_CHANGE = "read", "create", "update", "role-change", "access-change"
SIGN_IN, EXPORT = "sign-in", "export"

_events = TypeAdapter(list[AuditEvent])

# An export request covers at most this many UTC days, and a page makes at most this many
# Queries (one per ByDayShard shard of each day it walks, days without records included): the
# page's cost is bounded by these, never by the size of the log.
MAX_EXPORT_DAYS = 31
MAX_EXPORT_QUERIES = 32


def entry(actor: Caller, patient_id: str, action: str, resource: str, reason: str | None = None,
          who: tuple[str | None, str] | None = None) -> dict[str, Any]:
    # The API request id (the logger's correlation id) ties the record to the request's logs. The
    # actor's display name and role are kept as they were at the time, for the patient's access
    # log (clinic.services.access_log), which never shows the actor's id.
    name, role = who or actor_shown_as(actor)
    return audit_table.new_item(actor_id=actor.user_id, patient_id=patient_id, action=action, resource=resource,
                                at=clock.now_ms(), request_id=logger.get_correlation_id(),
                                actor_name=name, actor_role=role, reason=reason)


def actor_shown_as(actor: Caller) -> tuple[str | None, str]:
    """(display name, role) of the actor for the records of one request: the ID token's name, or
    for staff whose token has none, their profile's (one GetItem); a patient acting on their own
    records is shown as themselves, so needs no name."""
    if not actor.is_admin:
        return actor.name, Role.PATIENT.value
    if actor.name:
        return actor.name, Role.ADMIN.value
    profile = users_table.get(actor.user_id) or {}
    name = profile.get("name")
    return (name if isinstance(name, str) and name else None), Role.ADMIN.value


def action(actor: Caller, patient_id: str, what: str, resource: str, reason: str | None = None) -> dict[str, Any]:
    """The audit record's Put, to go in the transaction that makes the change."""
    return audit_table.put_action(entry(actor, patient_id, what, resource, reason))


def record(actor: Caller, subject_id: str, what: str, resource: str) -> None:
    """One record, written before the data it covers is returned (a failed write fails the request)."""
    audit_table.put(entry(actor, subject_id, what, resource))


def record_sign_in(user_id: str, how: str) -> None:
    """A completed sign-in: the user is both actor and subject; ``how`` is Cognito's trigger
    source (e.g. ``TokenGeneration_HostedAuth``), never an address or a name."""
    audit_table.put(audit_table.new_item(actor_id=user_id, patient_id=user_id, action=SIGN_IN,
                                         resource=f"session:{how}", at=clock.now_ms(), request_id=None))


def record_read(actor: Caller, patient_id: str, resource: str) -> None:
    audit_table.put(entry(actor, patient_id, READ, resource))


def record_reads(actor: Caller, patient_ids: Iterable[str], resource: str) -> None:
    who = actor_shown_as(actor)
    audit_table.put_many(entry(actor, p, READ, resource, who=who) for p in patient_ids)


def _event(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "patientId": item["userId"]}


def list_events(actor: Caller, *, patient_id: str | None, actor_id: str | None, limit: int,
                cursor: str | None) -> AuditPage:
    scope = f"audit.list|{patient_id or ''}|{actor_id or ''}"
    position = cursors.decode(cursor, actor.user_id, scope) if cursor else {}
    page = audit_table.page(patient_id=patient_id, actor_id=actor_id, limit=limit, after=position.get("key"))
    next_cursor = cursors.encode(actor.user_id, scope, {"key": page.position}) if page.position else None
    return AuditPage(items=_events.validate_python([_event(i) for i in page.items]), next_cursor=next_cursor)


def record_change(actor: Caller, patient_id: str, what: str, resource: str) -> None:
    """For a change that cannot share a transaction with its record (lab entry: batched writes),
    the record is written first: a record of an attempt is harmless, an unrecorded change is not."""
    audit_table.put(entry(actor, patient_id, what, resource))


def export_events(actor: Caller, *, from_: int, to: int, limit: int, cursor: str | None) -> AuditExportPage:
    """The whole audit log with ``at`` in [from, to] (epoch ms, inclusive), oldest first, in
    pages of at most ``limit``: per UTC day the page walks, one Query per ByDayShard shard not yet
    exhausted, and at most ``MAX_EXPORT_QUERIES`` Queries per page (a page may end short, or even
    empty, with a cursor: follow it until ``complete``), plus the record of this export itself."""
    if from_ > to:
        raise InvalidInput("the request is invalid", [{"in": "query", "field": "from", "issue": "after_to",
                                                      "message": "from must not be after to"}])
    first, last = date.fromisoformat(audit_table.day_of(from_)), date.fromisoformat(audit_table.day_of(to))
    if (last - first).days + 1 > MAX_EXPORT_DAYS:
        raise InvalidInput("the request is invalid", [{"in": "query", "field": "from", "issue": "window_too_long",
                                                      "message": f"at most {MAX_EXPORT_DAYS} days per request"}])
    scope = f"audit.export|{from_}|{to}"
    fresh: list[Any] = [None] * audit_table.SHARDS
    position: dict[str, Any] = (cursors.decode(cursor, actor.user_id, scope) if cursor
                                else {"d": first.isoformat(), "s": fresh})
    try:
        day = date.fromisoformat(str(position.get("d")))
    except ValueError:
        raise cursors.invalid() from None
    shards = position.get("s")
    if (not first <= day <= last or not isinstance(shards, list) or len(shards) != audit_table.SHARDS
            or not all(s is None or s is True or isinstance(s, dict) for s in shards)):
        raise cursors.invalid()
    found: list[dict[str, Any]] = []
    queries = 0
    while len(found) < limit and day <= last and queries + audit_table.SHARDS <= MAX_EXPORT_QUERIES:
        queries += sum(1 for s in shards if s is not True)
        items, shards = audit_table.page_of_day(day.isoformat(), lower=from_, upper=to + 1, limit=limit - len(found),
                                                positions=shards)
        found.extend(items)
        if all(s is True for s in shards):
            day, shards = day + timedelta(days=1), list(fresh)
    complete = day > last
    next_cursor = None if complete else cursors.encode(actor.user_id, scope, {"d": day.isoformat(), "s": shards})
    # Exporting the log is itself an access to be accounted for (the subject is the exporter).
    record(actor, actor.user_id, EXPORT, "audit-events")
    return AuditExportPage(items=_events.validate_python([_event(i) for i in found]), next_cursor=next_cursor,
                           complete=complete)
