"""The backfill of staff search's name look-ups (docs/decisions.md 63): every user whose item
says their look-up items are not those of their current name and role gets them, through the same
conditioned transaction every write path uses (``users_table.name_index_actions``).

Users created before the look-ups existed have none: the deploy runs this after each update of
the stack (``clinic-admin deploy`` invokes IndexPatientNamesFunction until it answers ``done``), and
the local runner after seeding. It walks the users of each role on ByRole (a Query per page of
100, never a Scan), reads the page's items with one consistent BatchGetItem and writes only those
that differ, a few at a time; each invocation stops after ``BUDGET_S`` and says where the next one
starts. A finished walk is recorded, so later deploys read one item; ``again`` walks anyway (after
running a release older than this one, whose writes kept no look-ups)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from clinic import clock
from clinic.models.users import BackfillPosition, NameBackfillProgress, Role
from clinic.repositories import patient_names_table as name_lookups
from clinic.repositories import users_table

PAGE = 100
WRITERS = 16  # transactions in flight at once (docs/decisions.md 63: the write rate this gives)
BUDGET_S = 20.0  # of the function's 60 s timeout
ROLES = (Role.PATIENT, Role.ADMIN)


def run(after: BackfillPosition | None = None, *, again: bool = False) -> NameBackfillProgress:
    if after is None and not again and name_lookups.backfill_done():
        return NameBackfillProgress(checked=0, updated=0, after=None, done=True, already_done=True)
    role, key = (after.role, after.key) if after else (ROLES[0], None)
    started = time.monotonic()
    checked = updated = 0
    while True:
        page = users_table.page_by_role(role.value, limit=PAGE, after=key)
        items = users_table.get_many([u["userId"] for u in page.items], consistent=True)
        stale = [item for item in items.values() if users_table.name_index_actions(item)]
        if stale:
            with ThreadPoolExecutor(min(WRITERS, len(stale))) as pool:
                updated += sum(pool.map(_settle, stale))
        checked += len(page.items)
        if page.position is not None:
            key = page.position
        elif role is not ROLES[-1]:
            role, key = ROLES[ROLES.index(role) + 1], None
        else:
            name_lookups.mark_backfill_done(clock.now_ms())
            return NameBackfillProgress(checked=checked, updated=updated, after=None, done=True)
        if time.monotonic() - started >= BUDGET_S:
            return NameBackfillProgress(checked=checked, updated=updated, done=False,
                                        after=BackfillPosition(role=role, key=key))


def _settle(item: dict[str, Any]) -> int:
    """1 when this wrote the user's look-ups, 0 when they were right after all (another writer
    made them so meanwhile, or the user is gone). A user changing under every try fails the
    invocation; the deploy invokes it again from the same position."""
    _, wrote = users_table.write_as_read(str(item["userId"]), users_table.name_index_actions, read=item)
    return int(wrote)
