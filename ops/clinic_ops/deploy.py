"""`make deploy`: `sam deploy` of a samconfig.toml profile, with the sign-in parameters pointed at
the dashboard's own URL, then the page (`clinic-admin deploy` publishes after this).

The dashboard's URL is a stack output (the distribution's name), so the first deploy of a stack
cannot know it: that deploy is followed by a second one that only sets the hosted sign-in's
callback and sign-out URLs and the CORS origin to it. Later deploys pass them from the start.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from clinic_ops import stack

SAM_ENV = {"SAM_CLI_TELEMETRY": "0"}


def sign_in_parameters(dashboard_url: str) -> dict[str, str]:
    """The parameters that must name the dashboard: where the hosted sign-in may send the
    browser back, and the one origin CORS allows."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(dashboard_url))
    return {"SpaCallbackUrls": dashboard_url, "SpaLogoutUrls": dashboard_url, "AllowedOrigins": origin}


def overrides(profile: stack.Profile, dashboard_url: str | None) -> dict[str, str]:
    """The profile's own parameter overrides, plus the dashboard's sign-in parameters when the
    URL is known; a value the profile sets itself wins (a clinic's own callback, say)."""
    derived = sign_in_parameters(dashboard_url) if dashboard_url else {}
    return {**derived, **profile.parameter_overrides}


def dashboard_url(cloudformation: Any, stack_name: str) -> str | None:
    try:
        return stack.outputs(cloudformation, stack_name).get("DashboardUrl")
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def sam_deploy(sam: list[str], profile: stack.Profile, values: dict[str, str]) -> None:
    command = [*sam, "deploy", "--config-env", profile.env, "--no-fail-on-empty-changeset",
               "--parameter-overrides", stack.format_overrides(values)]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, env={**os.environ, **SAM_ENV})  # noqa: S603 - our own argv


def deploy(profile: stack.Profile, sam: list[str], cloudformation: Any) -> str:
    """Deploy; returns the dashboard's URL."""
    before = dashboard_url(cloudformation, profile.stack_name)
    sam_deploy(sam, profile, overrides(profile, before))
    after = dashboard_url(cloudformation, profile.stack_name)
    if after is None:
        raise SystemExit(f"stack {profile.stack_name} has no DashboardUrl output")
    if after != before:  # first deploy (or a new custom domain): point sign-in at the dashboard
        sam_deploy(sam, profile, overrides(profile, after))
    return after
