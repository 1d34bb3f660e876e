"""PATCH /admin/patients/{userId}/appointments/{appointmentId}: staff confirm, complete, cancel
or mark a no-show (allowed transitions only; 409 on a lost race; audited in the same transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import AppointmentId, UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.appointments import Appointment, StaffAppointmentChange
from clinic.services import appointments, audit, patients

app = make_resolver(staff=True)


@app.patch("/admin/patients/<userId>/appointments/<appointmentId>", summary="Confirm, complete, cancel or no-show",
           responses=responses(404, 409))
def update_patient_appointment(user_id: UserId, appointment_id: AppointmentId,
                               change: Annotated[StaffAppointmentChange, Body()]) -> Appointment:
    transition = appointments.STAFF_TRANSITIONS[change.action]
    return patients.change(current_user(app), user_id, audit.UPDATE, f"appointment:{appointment_id}",
                           lambda also: appointments.change(user_id, appointment_id, transition, change.start_time,
                                                            also=also))


handler = lambda_entry(app)
