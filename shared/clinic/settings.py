"""Environment variables, parsed once per process into a validated, frozen model.

A missing or malformed variable fails at cold start with its name, never later in a request.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    users_table: str = Field(alias="USERS_TABLE", min_length=3)
    biomarkers_table: str = Field(alias="BIOMARKERS_TABLE", min_length=3)
    summary_table: str = Field(alias="BIOMARKER_SUMMARY_TABLE", min_length=3)
    appointments_table: str = Field(alias="APPOINTMENTS_TABLE", min_length=3)
    medications_table: str = Field(alias="MEDICATIONS_TABLE", min_length=3)
    audit_table: str = Field(alias="AUDIT_TABLE", min_length=3)
    # Cursor signing key: the secret's ARN in AWS, the key itself locally and in tests.
    cursor_secret_arn: str | None = Field(default=None, alias="CURSOR_SECRET_ARN")
    cursor_key: str | None = Field(default=None, alias="CURSOR_KEY", min_length=32)
    cursor_ttl_seconds: int = Field(default=86_400, alias="CURSOR_TTL_SECONDS", ge=60, le=7 * 86_400)
    clinic_timezone: str = Field(default="America/New_York", alias="CLINIC_TIMEZONE")
    # Nightly rollups: the Rollups table, the activity markers, the work queue.
    rollups_table: str = Field(alias="ROLLUPS_TABLE", min_length=3)
    rollup_markers_table: str = Field(alias="ROLLUP_MARKERS_TABLE", min_length=3)
    rollup_queue_url: str = Field(alias="ROLLUP_QUEUE_URL", min_length=8)

    @field_validator("clinic_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Local day boundaries depend on it: an unknown zone (or no tz database) fails at cold start.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone known to this runtime") from None
        return value

    # --- patients' identifiers (MRNs). Only the functions that set or resolve them have it.
    patient_identifiers_table: str | None = Field(default=None, alias="PATIENT_IDENTIFIERS_TABLE", min_length=3)

    # --- sign-in and accounts. Only the functions that sign people in or manage accounts have
    # these; they read them through ``require`` so that a missing one fails loudly by name.
    auth_table: str | None = Field(default=None, alias="AUTH_TABLE", min_length=3)
    user_pool_id: str | None = Field(default=None, alias="USER_POOL_ID", min_length=3)
    # Keys the rate-limit counters (emails and IPs are never stored in clear): the secret's ARN in
    # AWS, the key itself locally and in tests.
    auth_key_secret_arn: str | None = Field(default=None, alias="AUTH_KEY_SECRET_ARN")
    auth_key: str | None = Field(default=None, alias="AUTH_KEY", min_length=32)
    email_sender: Literal["ses", "console"] = Field(default="ses", alias="EMAIL_SENDER")
    email_from: str | None = Field(default=None, alias="EMAIL_FROM", min_length=3)
    email_link_url: str | None = Field(default=None, alias="EMAIL_LINK_URL", min_length=8)
    email_link_ttl_seconds: int = Field(default=900, alias="EMAIL_LINK_TTL_SECONDS", ge=60, le=3600)
    email_link_window_seconds: int = Field(default=900, alias="EMAIL_LINK_WINDOW_SECONDS", ge=60, le=86_400)
    email_link_max_per_email: int = Field(default=5, alias="EMAIL_LINK_MAX_PER_EMAIL", ge=1, le=100)
    email_link_max_per_ip: int = Field(default=30, alias="EMAIL_LINK_MAX_PER_IP", ge=1, le=10_000)
    # What happens to a deleted account's clinical records (docs/decisions.md).
    record_retention: Literal["keep", "erase"] = Field(default="keep", alias="RECORD_RETENTION")
    erasure_queue_url: str | None = Field(default=None, alias="ERASURE_QUEUE_URL", min_length=8)
    # The dashboard's origin, the only one CORS allows (template parameter AllowedOrigins); unset,
    # responses carry no Access-Control-Allow-Origin and browsers on other origins get nothing.
    allowed_origin: str | None = Field(default=None, alias="ALLOWED_ORIGIN",
                                       pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")

    # --- live updates (WebSocket). Only the connect, disconnect and fan-out functions have these.
    connections_table: str | None = Field(default=None, alias="CONNECTIONS_TABLE", min_length=3)
    # The WebSocket stage's management endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage}).
    connections_endpoint: str | None = Field(default=None, alias="CONNECTIONS_ENDPOINT", min_length=8)
    # The app client whose ID tokens open a connection (the token's audience).
    app_client_id: str | None = Field(default=None, alias="APP_CLIENT_ID", min_length=3)
    # Where the pool's signing keys are; derived from the pool in AWS, the emulator's URL locally.
    cognito_jwks_url: str | None = Field(default=None, alias="COGNITO_JWKS_URL", min_length=8)
    aws_region: str = Field(default="us-east-1", alias="AWS_REGION", min_length=3)

    @model_validator(mode="after")
    def _one_cursor_key_source(self) -> Settings:
        if not (self.cursor_secret_arn or self.cursor_key):
            raise ValueError("set CURSOR_SECRET_ARN (AWS) or CURSOR_KEY (local)")
        return self


class SettingsError(RuntimeError):
    """The environment does not describe a runnable function; the message names the variables."""


@cache
def get_settings() -> Settings:
    try:
        return Settings.model_validate(dict(os.environ))
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_input=False, include_url=False):
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            problems.append(f"{name}: {err['msg']}")
        raise SettingsError("invalid environment: " + "; ".join(problems)) from None


def require(field: str) -> Any:
    """A setting that only some functions have; its absence is a configuration error that names
    the environment variable (at the first use, which for these functions is every invocation)."""
    settings = get_settings()
    value = getattr(settings, field)
    if value is None:
        alias = Settings.model_fields[field].alias or field
        raise SettingsError(f"invalid environment: {alias} is required by this function")
    return value
