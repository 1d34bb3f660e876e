"""One signing-key helper for cursors and sign-in counters: the configured key, or the secret
fetched once per process (Secrets Manager is a network call, and the key never changes mid-life)."""

import pytest
from moto import mock_aws

from clinic import aws, settings
from clinic.services import cursors, email_links
from clinic.signing_keys import _fetched, signing_key


@pytest.fixture
def secret_arns(monkeypatch):
    """Both keys in Secrets Manager (moto), as in AWS: no key in the environment."""
    with mock_aws():
        aws.reset()
        _fetched.cache_clear()
        client = aws.client("secretsmanager")
        arns = {name: client.create_secret(Name=name, SecretString=f"{name}-0123456789abcdef0123456789abcdef")["ARN"]
                for name in ("cursor", "auth")}
        monkeypatch.delenv("CURSOR_KEY")
        monkeypatch.delenv("AUTH_KEY")
        monkeypatch.setenv("CURSOR_SECRET_ARN", arns["cursor"])
        monkeypatch.setenv("AUTH_KEY_SECRET_ARN", arns["auth"])
        settings.reset()
        yield arns
        monkeypatch.undo()
        settings.reset()
        _fetched.cache_clear()
        aws.reset()


def test_a_configured_key_is_used_as_is():
    assert signing_key("k" * 32, "arn:aws:secretsmanager:us-east-1:123456789012:secret:unused") == b"k" * 32


def test_each_secret_is_fetched_once_per_process(secret_arns):
    fetched = []
    events = aws.client("secretsmanager").meta.events
    count = lambda params, **_: fetched.append(params["SecretId"])  # noqa: E731
    events.register("before-parameter-build.secrets-manager.GetSecretValue", count)
    try:
        first = [cursors.encode("user-a", "s", {"n": i}) for i in range(3)]
        assert cursors.decode(first[0], "user-a", "s") == {"n": 0}
        assert email_links._keyed("ip", "192.0.2.1") == email_links._keyed("ip", "192.0.2.1")
    finally:
        events.unregister("before-parameter-build.secrets-manager.GetSecretValue", count)
    assert sorted(fetched) == sorted(secret_arns.values())  # one fetch per secret, however many signatures


def test_the_two_secrets_give_different_keys(secret_arns):
    assert cursors._key() == b"cursor-0123456789abcdef0123456789abcdef"
    assert email_links._key() == b"auth-0123456789abcdef0123456789abcdef"
