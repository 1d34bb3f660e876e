"""PATCH /appointments/{appointmentId}: the caller cancels an upcoming appointment or asks to
move it; only the transitions the clinic allows, nothing in the past, 409 on a lost race."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import AppointmentId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.appointments import Appointment, AppointmentChange
from clinic.services import appointments

app = make_resolver()


@app.patch("/appointments/<appointmentId>", summary="Cancel or ask to reschedule an upcoming appointment",
           responses=responses(404, 409))
def update_appointment(appointment_id: AppointmentId, change: Annotated[AppointmentChange, Body()]) -> Appointment:
    transition = appointments.PATIENT_TRANSITIONS[change.action]
    return appointments.change(current_user(app).user_id, appointment_id, transition, change.start_time)


handler = lambda_entry(app)
