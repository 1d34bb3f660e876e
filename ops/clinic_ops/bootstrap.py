"""`clinic-admin bootstrap --email ...`: the clinic's first staff member in a deployed pool.

Creates the person (Cognito emails them a temporary password; they choose their own at the
first sign-in) or promotes an existing one, through the same role change as
PUT /admin/users/{userId}/role (clinic.services.users.set_role: the Users row, the audit record
in its transaction, then the `admin` group). The audit record's actor is the AWS identity that
ran the command. Refuses while the pool has an admin, unless told ``allow_existing``.

MFA: the pool's setting decides what can be required (Cognito cannot enroll a TOTP app for
someone). ``ON``: the first sign-in asks the admin to set one up, and every sign-in asks for a
code. ``OPTIONAL``: the admin is asked to enroll at first sign-in only if the pool requires it,
so the command says so; ``OFF``: it says that staff sign in without MFA.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clinic import cognito
from clinic.identity import ADMIN_GROUP, Caller
from clinic.models.auth import normalize_email
from clinic.models.users import Role
from clinic.services import audit, users

MFA_NOTES = {
    "ON": "the pool requires MFA: the first sign-in sets up an authenticator app, every sign-in asks for a code",
    "OPTIONAL": "the pool offers MFA: the admin's tokens carry the admin group only once an authenticator app "
                "is turned on (set it up after the first sign-in, then sign in again with its code)",
    "OFF": "the pool has MFA turned off: staff sign in without a second factor until it is turned on",
}


class Refused(Exception):
    """The pool already has an admin (and the caller did not allow it)."""


@dataclass(frozen=True)
class Bootstrapped:
    user_id: str
    created: bool  # False: an existing user was promoted
    mfa: str  # the pool's MfaConfiguration
    note: str


def existing_admins(pool_id: str, idp: Any) -> list[str]:
    response = idp.list_users_in_group(UserPoolId=pool_id, GroupName=ADMIN_GROUP, Limit=1)
    return [u["Username"] for u in response.get("Users", [])]


def bootstrap(pool_id: str, email: str, *, operator: str, allow_existing: bool, idp: Any) -> Bootstrapped:
    """Make ``email`` an admin of the pool. ``operator`` names who ran it (an IAM ARN: not PHI)."""
    address = normalize_email(email)
    if address is None:
        raise ValueError("not an email address")
    if existing_admins(pool_id, idp) and not allow_existing:
        raise Refused("the pool already has an admin")
    person = cognito.native_user_by_email(pool_id, address)
    created = person is None
    if person is None:
        # Cognito sends the invitation with a temporary password; the first sign-in replaces it.
        raw = idp.admin_create_user(UserPoolId=pool_id, Username=address, DesiredDeliveryMediums=["EMAIL"],
                                    UserAttributes=[{"Name": "email", "Value": address},
                                                    {"Name": "email_verified", "Value": "true"}])["User"]
        sub = next(a["Value"] for a in raw["Attributes"] if a["Name"] == "sub")
    else:
        sub = person.sub
    actor = Caller(user_id=f"operator:{operator}", email=None, groups=frozenset({ADMIN_GROUP}))
    users.set_role(sub, Role.ADMIN, also=lambda previous: [
        audit.action(actor, sub, audit.ROLE_CHANGE, f"role:{previous}->{Role.ADMIN.value}")])
    mfa = str(idp.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("MfaConfiguration", "OFF"))
    return Bootstrapped(user_id=sub, created=created, mfa=mfa, note=MFA_NOTES.get(mfa, MFA_NOTES["OFF"]))
