"""getAppointments, done right: filters are applied by the index, not after ``take(limit)``, so
every page holds exactly ``min(limit, matches)`` appointments in startTime order."""

from __future__ import annotations

import time

from pydantic import TypeAdapter

from clinic.models.appointments import Appointment, AppointmentPage, AppointmentStatus, AppointmentType, When
from clinic.repositories import appointments
from clinic.services import cursors

_items = TypeAdapter(list[Appointment])


def list_for_user(
    user_id: str,
    *,
    type_: AppointmentType | None = None,
    status: AppointmentStatus | None = None,
    when: When | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now_ms: int | None = None,
) -> AppointmentPage:
    """Upcoming: from now on, soonest first. Past: before now, most recent first. Neither: all,
    oldest first. The "now" of the first page is kept in the cursor, so later pages continue the
    same list even as time passes."""
    scope = f"appointments.list|{type_ or ''}|{status or ''}|{when or ''}"
    position = cursors.decode(cursor, user_id, scope) if cursor else {}
    pivot = int(position.get("now") or now_ms or time.time() * 1000)
    page = appointments.page(
        user_id,
        type_=type_.value if type_ else None,
        status=status.value if status else None,
        lower=pivot if when is When.UPCOMING else None,
        upper=pivot if when is When.PAST else None,
        descending=when is When.PAST,
        limit=limit,
        after=position.get("key"),
    )
    next_cursor = None
    if page.last_key:
        next_cursor = cursors.encode(user_id, scope, {"key": page.last_key, "now": pivot})
    return AppointmentPage(items=_items.validate_python(page.items), next_cursor=next_cursor)
