"""GET /appointments: the caller's appointments, filtered by the index, paginated."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.appointments import AppointmentPage, AppointmentStatus, AppointmentType, When
from clinic.models.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX
from clinic.services import appointments

app = make_resolver()


@app.get("/appointments", summary="The caller's appointments, exactly `limit` per page", responses=responses())
def list_appointments(
    type: Annotated[AppointmentType | None, Query()] = None,  # noqa: A002 - the API's name
    status: Annotated[AppointmentStatus | None, Query()] = None,
    when: Annotated[When | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AppointmentPage:
    return appointments.list_for_user(
        current_user(app).user_id, type_=type, status=status, when=when, limit=limit, cursor=cursor
    )


handler = lambda_entry(app)
