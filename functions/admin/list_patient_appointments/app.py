"""GET /admin/patients/{userId}/appointments: a patient's appointments, as GET /appointments
(staff only; audited)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit, UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.appointments import AppointmentPage, AppointmentStatus, AppointmentType, When
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.services import appointments, patients

app = make_resolver(staff=True)


@app.get("/admin/patients/<userId>/appointments", summary="A patient's appointments",
         responses=responses(404))
def list_patient_appointments(
    user_id: UserId,
    type: Annotated[AppointmentType | None, Query()] = None,  # noqa: A002 - the API's name
    status: Annotated[AppointmentStatus | None, Query()] = None,
    when: Annotated[When | None, Query()] = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Cursor = None,
) -> AppointmentPage:
    return patients.read(current_user(app), user_id, "appointments", lambda: appointments.list_for_user(
        user_id, type_=type, status=status, when=when, limit=limit, cursor=cursor))


handler = lambda_entry(app)
