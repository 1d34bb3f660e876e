"""GET /admin/patients/{userId}: one patient's profile (staff only; audited)."""

from clinic.api import current_admin, lambda_entry, make_resolver, responses
from clinic.api.params import UserId
from clinic.models.users import User
from clinic.services import patients

app = make_resolver()


@app.get("/admin/patients/<userId>", summary="A patient's profile", responses=responses(404, admin=True))
def get_patient(user_id: UserId) -> User:
    return patients.get(current_admin(app), user_id)


handler = lambda_entry(app, staff_only=True)
