"""The environment the functions see in tests, derived from template.yaml (not a second copy)."""

from __future__ import annotations

import os
import time

from clinic_tools import template

TABLE_PREFIX = "test"
CURSOR_KEY = "test-cursor-key-0123456789abcdef0123456789abcdef"
AUTH_KEY = "test-auth-key-0123456789abcdef0123456789abcdef"


def fix_now() -> int:
    """The run's "now" for test data (epoch ms, to the minute), fixed in the environment by the
    first process, so every xdist worker builds the same parametrized test ids even when their
    collections straddle a minute."""
    return int(os.environ.setdefault("CLINIC_TEST_NOW_MS", str(int(time.time() // 60 * 60_000))))


def table_names() -> dict[str, str]:
    return {logical: args["TableName"] for logical, args in template.table_definitions(TABLE_PREFIX).items()}


def queue_urls() -> dict[str, str]:
    """The URL in-process moto gives each template queue (the `queues` fixture checks it)."""
    return {logical: f"https://sqs.us-east-1.amazonaws.com/123456789012/{args['QueueName']}"
            for logical, args in template.queue_definitions(TABLE_PREFIX).items()}


def function_environment() -> dict[str, str]:
    # The pool and its client are created per test (moto); these stand-ins let every handler pass
    # its cold-start settings check, and tests that use a pool set the real ids.
    cognito = {"UserPool": "us-east-1_TestPool", "UserPoolClient": "test-app-client"}
    refs = {**template.parameter_defaults(), **table_names(), **queue_urls(), **cognito, "AWS::Region": "us-east-1"}
    env = template.runtime_environment(refs)
    env.pop("CURSOR_SECRET_ARN", None)
    env.pop("AUTH_KEY_SECRET_ARN", None)
    env.update({
        "CURSOR_KEY": CURSOR_KEY,
        "AUTH_KEY": AUTH_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_NAMESPACE": "ClinicTest",
        "POWERTOOLS_DEV": "false",
        "DASHBOARD_URL": "https://dashboard.example.com/app/",  # deployed: the distribution's (an !If)
    })
    return env
