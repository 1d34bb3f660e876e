"""getAppointments, done right: filters are applied by the index, not after ``take(limit)``, so
every page holds exactly ``min(limit, matches)`` appointments in startTime order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from clinic import clock
from clinic.errors import Conflict, InvalidInput, NotFound
from clinic.models.appointments import (
    Appointment,
    AppointmentPage,
    AppointmentRequest,
    AppointmentStatus,
    AppointmentType,
    PatientAction,
    StaffAction,
    StaffAppointmentCreate,
    When,
)
from clinic.models.common import DAY_MS
from clinic.repositories import appointments_table, dynamo, keys
from clinic.services import cursors

BOOKING_HORIZON_MS = 2 * 366 * DAY_MS  # nothing is booked more than two years ahead
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
    pivot = int(position.get("now") or now_ms or clock.now_ms())
    page = appointments_table.page(
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


# --- single appointments: read, request, change ----------------------------------------------

DEFAULT_TITLES = {
    AppointmentType.CHECKUP: "Checkup", AppointmentType.LAB: "Lab visit", AppointmentType.CONSULTATION: "Consultation",
    AppointmentType.FOLLOW_UP: "Follow-up visit", AppointmentType.TELEHEALTH: "Video visit",
    AppointmentType.IMAGING: "Imaging", AppointmentType.VACCINATION: "Vaccination",
}
OPEN = frozenset({AppointmentStatus.REQUESTED, AppointmentStatus.SCHEDULED})


@dataclass(frozen=True)
class Transition:
    """Who may move an appointment from which statuses to which, and when: ``upcoming`` ones only
    change before they start (nothing in the past), ``past`` ones only after."""

    allowed_from: frozenset[AppointmentStatus]
    to: AppointmentStatus
    upcoming: bool


PATIENT_TRANSITIONS = {
    PatientAction.CANCEL: Transition(OPEN, AppointmentStatus.CANCELLED, upcoming=True),
    PatientAction.RESCHEDULE: Transition(OPEN, AppointmentStatus.REQUESTED, upcoming=True),
}
STAFF_TRANSITIONS = {
    StaffAction.CONFIRM: Transition(OPEN, AppointmentStatus.SCHEDULED, upcoming=True),
    StaffAction.CANCEL: Transition(OPEN, AppointmentStatus.CANCELLED, upcoming=True),
    StaffAction.COMPLETE: Transition(
        frozenset({AppointmentStatus.SCHEDULED}), AppointmentStatus.COMPLETED, upcoming=False
    ),
    StaffAction.NO_SHOW: Transition(
        frozenset({AppointmentStatus.SCHEDULED}), AppointmentStatus.NO_SHOW, upcoming=False
    ),
}


def get(user_id: str, appointment_id: str) -> Appointment:
    item = appointments_table.find(user_id, appointment_id)
    if item is None:
        raise NotFound("no such appointment")
    return Appointment.model_validate(item)


def _check_future(start_time: int, now: int) -> None:
    if not now < start_time <= now + BOOKING_HORIZON_MS:
        raise InvalidInput(
            "startTime must be in the future and at most two years ahead",
            [{"in": "body", "field": "startTime", "issue": "out_of_range"}],
        )


def _new(
    type_: AppointmentType, start_time: int, duration: int, title: str | None, status: AppointmentStatus
) -> dict[str, Any]:
    return {
        "appointmentId": keys.new_id(),
        "title": title or DEFAULT_TITLES[type_],
        "date": clock.clinic_local_iso(start_time),
        "type": type_.value,
        "status": status.value,
        "startTime": start_time,
        "durationMinutes": duration,
        "version": 1,
    }


def create(
    user_id: str,
    request: AppointmentRequest | StaffAppointmentCreate,
    *,
    also: Sequence[Mapping[str, Any]] = (),
    now_ms: int | None = None,
) -> Appointment:
    """A new appointment: ``requested`` when a patient asks, as given when staff book it."""
    _check_future(request.start_time, now_ms or clock.now_ms())
    status = request.status if isinstance(request, StaffAppointmentCreate) else AppointmentStatus.REQUESTED
    new = _new(request.type, request.start_time, request.duration_minutes, request.title, AppointmentStatus(status))
    dynamo.write([appointments_table.put_action(user_id, new, None), *also])
    return Appointment.model_validate(new)


def change(
    user_id: str,
    appointment_id: str,
    transition: Transition,
    new_start: int | None,
    *,
    also: Sequence[Mapping[str, Any]] = (),
    now_ms: int | None = None,
) -> Appointment:
    """Apply ``transition`` if the appointment's status and time allow it, with a version check:
    of two concurrent changes, the second is a 409 and writes nothing."""
    now = now_ms or clock.now_ms()
    item = appointments_table.find(user_id, appointment_id)
    if item is None:
        raise NotFound("no such appointment")
    current = Appointment.model_validate(item)
    if current.status not in transition.allowed_from:
        raise Conflict(f"an appointment that is {current.status.value} cannot be changed this way")
    if transition.upcoming and current.start_time <= now:
        raise Conflict("this appointment has already started; it can no longer be changed this way")
    if not transition.upcoming and current.start_time > now:
        raise Conflict("this appointment has not happened yet")
    if new_start is not None:
        _check_future(new_start, now)
    start = new_start if new_start is not None else current.start_time
    new = {
        **current.model_dump(by_alias=True),
        "status": transition.to.value,
        "startTime": start,
        "date": clock.clinic_local_iso(start),
        "version": current.version + 1,
    }
    dynamo.write([*appointments_table.replace_actions(user_id, item, new), *also])
    return Appointment.model_validate(new)
