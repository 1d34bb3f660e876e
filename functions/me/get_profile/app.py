"""GET /me: the caller's profile; the first call after sign-up creates it from the token."""

from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.users import User
from clinic.services import users
from clinic.settings import AuthTable, PatientNamesTable, check

check(AuthTable, PatientNamesTable)

app = make_resolver(validate=False)  # no input to validate: see make_resolver


@app.get("/me", summary="The caller's profile (created on first call)", responses=responses())
def get_profile() -> User:
    return users.ensure_profile(current_user(app))


handler = lambda_entry(app)
