"""GET /biomarkers/stats: the caller's dashboard stats (one GetItem, whatever the history)."""

from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.stats import BiomarkerStats
from clinic.services import stats

app = make_resolver(validate=False)  # no input to validate: see make_resolver


@app.get("/biomarkers/stats", summary="Status breakdown of the latest reading of each biomarker", responses=responses())
def get_stats() -> BiomarkerStats:
    return stats.for_user(current_user(app).user_id)


handler = lambda_entry(app)
