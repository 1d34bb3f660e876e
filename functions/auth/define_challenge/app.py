"""Cognito Define Auth Challenge trigger: one CUSTOM_CHALLENGE (the email link), then tokens or failure."""

from clinic.entry.trigger import trigger_entry
from clinic.services import sign_in

handler = trigger_entry(sign_in.define_auth_challenge)
