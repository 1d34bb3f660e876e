"""GET /admin/patients/{userId}: one patient's profile, with whether the account is enabled (staff
only; audited)."""

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.users import PatientProfile
from clinic.services import patients

app = make_resolver(staff=True)


@app.get("/admin/patients/<userId>", summary="A patient's profile", responses=responses(404))
def get_patient(user_id: UserId) -> PatientProfile:
    return patients.get(current_user(app), user_id)


handler = lambda_entry(app)
