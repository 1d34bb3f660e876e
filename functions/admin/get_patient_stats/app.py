"""GET /admin/patients/{userId}/stats: a patient's biomarker stats (staff only; audited)."""

from clinic.api import current_admin, lambda_entry, make_resolver, responses
from clinic.api.params import UserId
from clinic.models.stats import BiomarkerStats
from clinic.services import patients, stats

app = make_resolver()


@app.get("/admin/patients/<userId>/stats", summary="A patient's biomarker stats", responses=responses(404, admin=True))
def get_patient_stats(user_id: UserId) -> BiomarkerStats:
    return patients.read(current_admin(app), user_id, "stats", lambda: stats.for_user(user_id))


handler = lambda_entry(app, staff_only=True)
