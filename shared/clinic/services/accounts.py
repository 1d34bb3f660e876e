"""Deleting an account (``DELETE /me``) and, when the clinic chose ``erase``, its clinical records.

Deletion: mark the id as deleted, sign out everywhere (every refresh token revoked), delete the
Cognito user (its linked Google identity goes with it), delete the Users item with its look-up items
of staff search (one transaction), close the account's open WebSocket connections. Each step tolerates
"already done", so a retry after a partial failure finishes the job. An ID token issued before
the deletion stays valid until it expires (at most an hour; API Gateway checks signatures, not
revocation); the mark, kept for twice that, stops such a token from re-creating the profile
through ``users_table.ensure_profile``.

Clinical records follow ``RECORD_RETENTION`` (docs/decisions.md): ``keep`` (the default; US
medical-record retention laws usually require the clinic to keep them for years) leaves them,
keyed by an id no account will ever have again; ``erase`` queues the user's id, and a worker
deletes the user's items from every user-data table, a bounded number per invocation, queueing
the rest of the work for the next one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from clinic import aws, cognito
from clinic.identity import Caller
from clinic.observability import metrics
from clinic.repositories import user_data, users_table
from clinic.services import live, users
from clinic.settings import Erasure, Tables, UserPool, get_settings

# The user-data tables an erasure empties, by ``Tables`` field. The Users item is deleted with the
# account; a table that must outlive it (an audit trail) is deliberately not here. A test fails
# when the template gains a userId-keyed table that is in neither list, so a new table gets a
# retention decision.
ERASED_TABLES = ("biomarkers_table", "summary_table", "appointments_table", "medications_table",
                 "refill_requests_table", "rollups_table")
# Users: the item goes with the account itself. AuthTable: expires within hours. AuditTable: who
# read or changed a patient's records must outlive the account (HIPAA audit retention, 6 years).
# ConnectionsTable: no record data, only open WebSocket connections; each expires within hours.
NOT_ERASED_TABLE_IDS = ("UsersTable", "AuthTable", "AuditTable", "ConnectionsTable")

ERASE_BUDGET = 1000  # items deleted per invocation (40 BatchWriteItem requests at most)
PAGE = 100
_SUB = re.compile(r"^[A-Za-z0-9-]{1,128}$")


def delete_account(caller: Caller, *, retention: str | None = None) -> None:
    retention = retention or get_settings(Erasure).record_retention
    pool_id = get_settings(UserPool).user_pool_id
    users.mark_deleted(caller.user_id)
    user = cognito.user_by_sub(pool_id, caller.user_id)
    if user is not None:
        cognito.sign_out_everywhere(pool_id, user.username)
        cognito.delete_user(pool_id, user.username)
    users_table.delete(caller.user_id)
    live.close_connections(caller.user_id)
    if retention == "erase":
        queue_erasure(caller.user_id)
    metrics.add_metric(name="AccountsDeleted", unit="Count", value=1)


def queue_erasure(user_id: str) -> None:
    queue_url = get_settings(Erasure).erasure_queue_url
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps({"userId": user_id}))


def parse_erasure(body: str) -> str:
    """The user id in an erasure message; ValueError for anything else."""
    message: Any = json.loads(body)
    user_id = message.get("userId") if isinstance(message, dict) else None
    if not isinstance(user_id, str) or not _SUB.match(user_id):
        raise ValueError("not an erasure message")
    return user_id


def erase_user_data(user_id: str, *, budget: int = ERASE_BUDGET) -> bool:
    """Delete up to ``budget`` of the user's items across the user-data tables; True when none
    are left. Deleted items are gone from the next Query, so no position needs remembering."""
    tables = get_settings(Tables)
    left = budget
    for field in ERASED_TABLES:
        table = getattr(tables, field)
        while True:
            if left == 0:
                return False
            keys = user_data.first_keys(table, user_id, min(PAGE, left))
            if not keys:
                break
            user_data.delete_keys(table, keys)
            left -= len(keys)
            metrics.add_metric(name="ErasedItems", unit="Count", value=len(keys))
    return True


def erase_or_requeue(user_id: str, *, budget: int = ERASE_BUDGET) -> bool:
    """One worker step: erase what the budget allows and queue the rest. True when finished."""
    done = erase_user_data(user_id, budget=budget)
    if not done:
        queue_erasure(user_id)
    return done
