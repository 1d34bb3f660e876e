"""PATCH /admin/patients/{userId}/biomarkers/{readingId}: staff amend a reading's value or
withdraw it as entered in error, with a reason (summary, rollups and audit follow, the audit in
the same transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import ReadingId, UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.biomarkers import Reading, ReadingCorrection
from clinic.services import biomarkers

app = make_resolver(staff=True)


@app.patch("/admin/patients/<userId>/biomarkers/<readingId>", summary="Correct or withdraw a reading",
           responses=responses(404, 409))
def correct_patient_biomarker(user_id: UserId, reading_id: ReadingId,
                              correction: Annotated[ReadingCorrection, Body()]) -> Reading:
    return biomarkers.correct(current_user(app), user_id, reading_id, correction)


handler = lambda_entry(app)
