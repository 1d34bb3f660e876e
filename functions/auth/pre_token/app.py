"""Cognito Pre Token Generation trigger (V1_0): the ``role`` claim from the ``admin`` group."""

from clinic.entry.trigger import trigger_entry
from clinic.services import sign_in

handler = trigger_entry(sign_in.pre_token_generation)
