"""Outgoing email: one interface, two implementations chosen by ``EMAIL_SENDER``.

``ses`` sends through Amazon SES (the sender address is a template parameter and the function may
send only as that identity); ``console`` prints the message to standard output, which is how the
local runner shows a sign-in link without an email service. Neither ever logs a message: a sign-in
link is a credential and an address is personal data.
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from clinic import aws
from clinic.settings import Mail, SettingsError, get_settings


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str


class EmailSender(Protocol):
    def send(self, email: Email) -> None: ...


class SesSender:
    def __init__(self, sender: str) -> None:
        self._sender = sender

    def send(self, email: Email) -> None:
        aws.client("sesv2").send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [email.to]},
            Content={"Simple": {
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"}},
            }},
        )


class ConsoleSender:
    """Local development only: the message goes to the runner's console, never to a log, and to
    the runner's outbox page (the last ``OUTBOX_SIZE`` messages, in memory)."""

    def send(self, email: Email) -> None:
        print(f"\n[email] to {email.to}: {email.subject}\n{email.text}\n", file=sys.stdout, flush=True)
        OUTBOX.appendleft(email)


OUTBOX_SIZE = 50
OUTBOX: deque[Email] = deque(maxlen=OUTBOX_SIZE)


@cache
def sender() -> EmailSender:
    settings = get_settings(Mail)
    if settings.email_sender == "console":
        return ConsoleSender()
    if settings.email_from is None:  # Mail's own check makes this unreachable; mypy cannot see it
        raise SettingsError("invalid environment: EMAIL_FROM is required when EMAIL_SENDER is ses")
    return SesSender(settings.email_from)
