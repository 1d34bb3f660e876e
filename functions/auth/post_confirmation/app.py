"""Cognito Post Confirmation trigger: creates the Users item (idempotent conditional put)."""

from clinic.services import sign_in
from clinic.triggers import trigger_entry

handler = trigger_entry(sign_in.post_confirmation)
