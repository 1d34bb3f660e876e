"""Cognito Post Confirmation trigger: creates the Users item (idempotent conditional put)."""

from clinic.entry.trigger import trigger_entry
from clinic.services import sign_in
from clinic.settings import PatientNamesTable, check

check(PatientNamesTable)

handler = trigger_entry(sign_in.post_confirmation)
