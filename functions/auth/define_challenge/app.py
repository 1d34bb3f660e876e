"""Cognito Define Auth Challenge trigger: one CUSTOM_CHALLENGE (the email link), then tokens or failure."""

from clinic.services import sign_in
from clinic.triggers import trigger_entry

handler = trigger_entry(sign_in.define_auth_challenge)
