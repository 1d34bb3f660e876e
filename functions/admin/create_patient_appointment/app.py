"""POST /admin/patients/{userId}/appointments: staff book an appointment for a patient (the
audit record is in the same transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.appointments import Appointment, StaffAppointmentCreate
from clinic.services import appointments, audit, patients

app = make_resolver(staff=True)


@app.post("/admin/patients/<userId>/appointments", summary="Book an appointment for a patient", status_code=201,
          responses=responses(404, status=201, description="Booked"))
def create_patient_appointment(user_id: UserId, booking: Annotated[StaffAppointmentCreate, Body()]) -> Appointment:
    return patients.change(current_user(app), user_id, audit.CREATE, "appointment",
                           lambda also: appointments.create(user_id, booking, also=also))


handler = lambda_entry(app)
