"""GET /admin/patients/{userId}/stats: a patient's biomarker stats (staff only; audited)."""

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.stats import BiomarkerStats
from clinic.services import patients, stats

app = make_resolver(staff=True)


@app.get("/admin/patients/<userId>/stats", summary="A patient's biomarker stats", responses=responses(404))
def get_patient_stats(user_id: UserId) -> BiomarkerStats:
    return patients.read(current_user(app), user_id, "stats", lambda: stats.for_user(user_id))


handler = lambda_entry(app)
