"""GET /appointments/{appointmentId}: one of the caller's appointments (404 for anyone else's)."""

from clinic.api.params import AppointmentId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.appointments import Appointment
from clinic.services import appointments

app = make_resolver()


@app.get("/appointments/<appointmentId>", summary="One of the caller's appointments", responses=responses(404))
def get_appointment(appointment_id: AppointmentId) -> Appointment:
    return appointments.get(current_user(app).user_id, appointment_id)


handler = lambda_entry(app)
