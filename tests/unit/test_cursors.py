import base64
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic import clock
from clinic.errors import InvalidInput
from clinic.services import cursors

POSITION = {"key": {"sk": "1795568400000#abc", "typeSk": "lab#1795568400000#abc"}, "now": 1795568400000}


def test_cursor_round_trips_for_the_same_user_and_scope():
    token = cursors.encode("user-a", "appointments|lab", POSITION)
    assert cursors.decode(token, "user-a", "appointments|lab") == POSITION


def test_cursor_does_not_reveal_the_user_id():
    token = cursors.encode("user-a", "scope", POSITION)
    assert "user-a" not in base64.urlsafe_b64decode(token.split(".")[1] + "==").decode()


@pytest.mark.parametrize(
    ("user", "scope"), [("user-b", "appointments|lab"), ("user-a", "appointments|checkup")],
    ids=["another-users-cursor", "another-querys-cursor"],
)
def test_cursor_is_bound_to_its_user_and_query(user, scope):
    token = cursors.encode("user-a", "appointments|lab", POSITION)
    with pytest.raises(InvalidInput):
        cursors.decode(token, user, scope)


def test_tampered_position_is_rejected():
    version, body, mac = cursors.encode("user-a", "s", POSITION).split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["k"]["key"]["sk"] = "0000000000000#zzz"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidInput):
        cursors.decode(f"{version}.{forged}.{mac}", "user-a", "s")


def test_truncated_cursor_is_rejected():
    token = cursors.encode("user-a", "s", POSITION)
    with pytest.raises(InvalidInput):
        cursors.decode(token[:-3], "user-a", "s")


def test_expired_cursor_is_rejected(monkeypatch):
    token = cursors.encode("user-a", "s", POSITION)
    later = clock.now_ms() + 2 * 86_400_000
    monkeypatch.setattr(clock, "now_ms", lambda: later)
    with pytest.raises(InvalidInput):
        cursors.decode(token, "user-a", "s")


def test_oversize_cursor_is_rejected_before_any_work():
    with pytest.raises(InvalidInput):
        cursors.decode("1." + "a" * 5000 + ".b", "user-a", "s")


@given(st.text(max_size=300))
def test_arbitrary_text_never_decodes_and_never_raises_anything_else(text):
    with pytest.raises(InvalidInput):
        cursors.decode(text, "user-a", "s")


@given(st.binary(min_size=1, max_size=200))
def test_random_well_formed_tokens_never_verify(raw):
    body = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    with pytest.raises(InvalidInput):
        cursors.decode(f"1.{body}.{body[:22]}", "user-a", "s")


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=40) | st.integers(), max_size=4))
def test_every_cursor_matches_the_format_the_openapi_declares(position):
    assert re.fullmatch(cursors.PATTERN, cursors.encode("user-1", "scope", position))
