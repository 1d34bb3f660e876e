"""Erasure worker (SQS, never behind API Gateway): deletes a deleted account's items from the
user-data tables, a bounded number per message, queueing the rest."""

from clinic.entry.batch import batch_entry
from clinic.services import accounts
from clinic.settings import Erasure, check

check(Erasure)


def erase(body: str) -> None:
    accounts.erase_or_requeue(accounts.parse_erasure(body))


handler = batch_entry(erase)
