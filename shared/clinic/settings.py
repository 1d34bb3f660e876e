"""Environment variables, composed by feature and parsed once per process into frozen models.

Each feature is the few variables one piece of code needs (``Tables``, ``Cursors``,
``EmailLinks``...); code reads ``get_settings(Feature)``. The shared features come from the
template's ``Globals``, so every function has them. A function with variables of its own names
their features in its ``app.py`` with ``check(...)``, which runs at import, so a function
deployed without its variable fails at cold start with the variable's name, not at first use.
"""

from __future__ import annotations

import os
from typing import Literal, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class Feature(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# --- shared: every function has these (template Globals) --------------------------------------


class Tables(Feature):
    """The user-data tables."""

    users_table: str = Field(alias="USERS_TABLE", min_length=3)
    biomarkers_table: str = Field(alias="BIOMARKERS_TABLE", min_length=3)
    summary_table: str = Field(alias="BIOMARKER_SUMMARY_TABLE", min_length=3)
    appointments_table: str = Field(alias="APPOINTMENTS_TABLE", min_length=3)
    medications_table: str = Field(alias="MEDICATIONS_TABLE", min_length=3)
    refill_requests_table: str = Field(alias="REFILL_REQUESTS_TABLE", min_length=3)
    audit_table: str = Field(alias="AUDIT_TABLE", min_length=3)
    rollups_table: str = Field(alias="ROLLUPS_TABLE", min_length=3)


class Cursors(Feature):
    """Cursor signing: the secret's ARN in AWS, the key itself locally and in tests."""

    cursor_secret_arn: str | None = Field(default=None, alias="CURSOR_SECRET_ARN")
    cursor_key: str | None = Field(default=None, alias="CURSOR_KEY", min_length=32)
    cursor_ttl_seconds: int = Field(default=86_400, alias="CURSOR_TTL_SECONDS", ge=60, le=7 * 86_400)

    @model_validator(mode="after")
    def _one_key_source(self) -> Cursors:
        if not (self.cursor_secret_arn or self.cursor_key):
            raise ValueError("set CURSOR_SECRET_ARN (AWS) or CURSOR_KEY (local)")
        return self


class ClinicTime(Feature):
    clinic_timezone: str = Field(default="America/New_York", alias="CLINIC_TIMEZONE")

    @field_validator("clinic_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Local day boundaries depend on it: an unknown zone (or no tz database) fails at cold start.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone known to this runtime") from None
        return value


class Rollups(Feature):
    """The nightly rollups' activity markers and work queue."""

    rollup_markers_table: str = Field(alias="ROLLUP_MARKERS_TABLE", min_length=3)
    # Partitions a night's markers are spread over (template parameter RollupMarkerShards, sized by
    # capacity/settings.py); the planner also reads every shard an earlier count used.
    rollup_marker_shards: int = Field(alias="ROLLUP_MARKER_SHARDS", ge=1, le=1000)
    rollup_queue_url: str = Field(alias="ROLLUP_QUEUE_URL", min_length=8)


class Cors(Feature):
    # The dashboard's origin, the only one CORS allows (template parameter AllowedOrigins); unset,
    # responses carry no Access-Control-Allow-Origin and browsers on other origins get nothing.
    allowed_origin: str | None = Field(default=None, alias="ALLOWED_ORIGIN",
                                       pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


SHARED: tuple[type[Feature], ...] = (Tables, Cursors, ClinicTime, Rollups, Cors)


# --- sign-in and accounts: only the functions that sign people in or manage accounts -----------


class AuthTable(Feature):
    """Sign-in links, rate-limit counters and deleted-account marks."""

    auth_table: str = Field(alias="AUTH_TABLE", min_length=3)


class UserPool(Feature):
    user_pool_id: str = Field(alias="USER_POOL_ID", min_length=3)


class EmailLinks(Feature):
    # Keys the rate-limit counters (emails and IPs are never stored in clear): the secret's ARN in
    # AWS, the key itself locally and in tests.
    auth_key_secret_arn: str | None = Field(default=None, alias="AUTH_KEY_SECRET_ARN")
    auth_key: str | None = Field(default=None, alias="AUTH_KEY", min_length=32)
    email_link_url: str = Field(alias="EMAIL_LINK_URL", min_length=8)
    email_link_ttl_seconds: int = Field(default=900, alias="EMAIL_LINK_TTL_SECONDS", ge=60, le=3600)
    email_link_window_seconds: int = Field(default=900, alias="EMAIL_LINK_WINDOW_SECONDS", ge=60, le=86_400)
    email_link_max_per_email: int = Field(default=5, alias="EMAIL_LINK_MAX_PER_EMAIL", ge=1, le=100)
    email_link_max_per_ip: int = Field(default=30, alias="EMAIL_LINK_MAX_PER_IP", ge=1, le=10_000)

    @model_validator(mode="after")
    def _one_key_source(self) -> EmailLinks:
        if not (self.auth_key_secret_arn or self.auth_key):
            raise ValueError("set AUTH_KEY_SECRET_ARN (AWS) or AUTH_KEY (local)")
        return self


class Mail(Feature):
    email_sender: Literal["ses", "console"] = Field(default="ses", alias="EMAIL_SENDER")
    email_from: str | None = Field(default=None, alias="EMAIL_FROM", min_length=3)

    @model_validator(mode="after")
    def _ses_needs_a_sender_address(self) -> Mail:
        if self.email_sender == "ses" and not self.email_from:
            raise ValueError("EMAIL_FROM is required when EMAIL_SENDER is ses")
        return self


class Reminders(Feature):
    """Appointment reminders: how long before the start, at which clinic-local hour of that day,
    and what the message may say (the clinic's name, a link to the page; nothing about the visit)."""

    reminder_lead_hours: int = Field(default=24, alias="REMINDER_LEAD_HOURS", ge=1, le=168)
    reminder_send_hour: int = Field(default=17, alias="REMINDER_SEND_HOUR", ge=0, le=23)
    clinic_name: str = Field(alias="CLINIC_NAME", min_length=1, max_length=120)
    dashboard_url: str = Field(alias="DASHBOARD_URL", min_length=8)


class Erasure(Feature):
    # What happens to a deleted account's clinical records (docs/decisions.md).
    record_retention: Literal["keep", "erase"] = Field(default="keep", alias="RECORD_RETENTION")
    erasure_queue_url: str = Field(alias="ERASURE_QUEUE_URL", min_length=8)


# --- live updates (WebSocket): only the connect, disconnect and fan-out functions ---------------


class PatientIdentifiersTable(Feature):
    """Patients' identifiers (MRNs): the functions that set them or resolve a lab's subject."""

    patient_identifiers_table: str = Field(alias="PATIENT_IDENTIFIERS_TABLE", min_length=3)


class PatientNamesTable(Feature):
    """The look-up items of staff's search by name: the functions that set a user's name or role,
    delete an account, or search."""

    patient_names_table: str = Field(alias="PATIENT_NAMES_TABLE", min_length=3)


class LiveConnections(Feature):
    connections_table: str = Field(alias="CONNECTIONS_TABLE", min_length=3)


class LiveTokens(Feature):
    """What ``$connect`` needs to verify an ID token as the REST authorizer would."""

    user_pool_id: str = Field(alias="USER_POOL_ID", min_length=3)
    # The app client whose ID tokens open a connection (the token's audience).
    app_client_id: str = Field(alias="APP_CLIENT_ID", min_length=3)
    # Where the pool's signing keys are; derived from the pool in AWS, the emulator's URL locally.
    cognito_jwks_url: str | None = Field(default=None, alias="COGNITO_JWKS_URL", min_length=8)
    aws_region: str = Field(default="us-east-1", alias="AWS_REGION", min_length=3)


class LiveDelivery(Feature):
    # The WebSocket stage's management endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage}).
    connections_endpoint: str = Field(alias="CONNECTIONS_ENDPOINT", min_length=8)


# --- reading and checking ------------------------------------------------------------------------

F = TypeVar("F", bound=Feature)


class SettingsError(RuntimeError):
    """The environment does not describe a runnable function; the message names the variables."""


def _problems(feature: type[Feature], error: ValidationError) -> list[str]:
    problems = []
    for err in error.errors(include_input=False, include_url=False):
        name = ".".join(str(p) for p in err["loc"]) or feature.__name__
        problems.append(f"{name}: {err['msg']}")
    return problems


_parsed: dict[type[Feature], Feature] = {}
_environment: dict[str, str] = {}


def get_settings(feature: type[F]) -> F:
    """The feature's settings, parsed from the environment once per process."""
    parsed = _parsed.get(feature)
    if parsed is None:
        if not _environment:  # one copy for every feature: copying os.environ is most of the cost
            _environment.update(os.environ)
        try:
            parsed = _parsed[feature] = feature.model_validate(_environment)
        except ValidationError as exc:
            raise SettingsError("invalid environment: " + "; ".join(_problems(feature, exc))) from None
    return cast(F, parsed)


def reset() -> None:
    """Parse the environment again at the next read (tests and the local runner change it)."""
    _parsed.clear()
    _environment.clear()


def check(*features: type[Feature]) -> None:
    """Parse the shared features and ``features`` now (a function's cold start), reporting every
    missing or malformed variable at once."""
    problems: list[str] = []
    for feature in dict.fromkeys((*SHARED, *features)):
        try:
            get_settings(feature)
        except SettingsError as exc:
            problems.append(str(exc).removeprefix("invalid environment: "))
    if problems:
        raise SettingsError("invalid environment: " + "; ".join(problems))
