"""POST /appointments: the caller asks for an appointment (status `requested`)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.appointments import Appointment, AppointmentRequest
from clinic.services import appointments

app = make_resolver()


@app.post("/appointments", summary="Request an appointment", status_code=201,
          responses=responses(status=201, description="Requested"))
def request_appointment(request: Annotated[AppointmentRequest, Body()]) -> Appointment:
    return appointments.create(current_user(app).user_id, request)


handler = lambda_entry(app)
