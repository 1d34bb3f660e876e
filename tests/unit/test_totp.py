"""The runner's TOTP codes are RFC 6238's (the SHA-1 test vectors of its appendix B, 6 digits)."""

import base64

import pytest

from clinic_local import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(("at", "expected"), [(59, "287082"), (1111111109, "081804"), (2000000000, "279037")])
def test_codes_match_the_rfc_test_vectors(at, expected):
    assert totp.code(RFC_SECRET, at) == expected


def test_the_neighbouring_steps_are_accepted_and_older_ones_are_not():
    now = 1111111109
    assert totp.is_valid(RFC_SECRET, totp.code(RFC_SECRET, now - 30), at=now)
    assert totp.is_valid(RFC_SECRET, totp.code(RFC_SECRET, now + 30), at=now)
    assert not totp.is_valid(RFC_SECRET, totp.code(RFC_SECRET, now - 90), at=now)


@pytest.mark.parametrize("candidate", [None, 287082, "28708", "2870821", "28708a", ""])
def test_malformed_codes_are_refused(candidate):
    assert not totp.is_valid(RFC_SECRET, candidate, at=59)
