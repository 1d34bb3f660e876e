"""The HMAC keys the functions sign with (cursors; the sign-in rate-limit counters): the key
itself locally and in tests, a Secrets Manager secret in AWS, fetched once per process."""

from __future__ import annotations

from functools import cache

from clinic import aws


@cache
def _fetched(secret_arn: str) -> bytes:
    response = aws.client("secretsmanager").get_secret_value(SecretId=secret_arn)
    return str(response["SecretString"]).encode()


def signing_key(key: str | None, secret_arn: str | None) -> bytes:
    """``key`` when set, else the secret's value. Settings guarantee one of the two."""
    if key:
        return key.encode()
    if not secret_arn:
        raise ValueError("no signing key and no secret to fetch it from")
    return _fetched(secret_arn)
