"""POST /admin/patients/{userId}/appointments: staff book an appointment for a patient (the
audit record is in the same transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api import current_admin, lambda_entry, make_resolver, responses
from clinic.api.params import UserId
from clinic.models.appointments import Appointment, StaffAppointmentCreate
from clinic.services import appointments, audit, patients

app = make_resolver()


@app.post("/admin/patients/<userId>/appointments", summary="Book an appointment for a patient", status_code=201,
          responses=responses(404, admin=True, status=201, description="Booked"))
def create_patient_appointment(user_id: UserId, booking: Annotated[StaffAppointmentCreate, Body()]) -> Appointment:
    return patients.change(current_admin(app), user_id, audit.CREATE, "appointment",
                           lambda also: appointments.create(user_id, booking, also=also))


handler = lambda_entry(app, staff_only=True)
