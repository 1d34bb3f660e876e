import pytest

from clinic.errors import Forbidden, Unauthorized
from clinic.identity import caller_from_claims, parse_groups, require_admin


@pytest.mark.parametrize(("raw", "groups"), [
    ("admin", {"admin"}), ("admin,staff", {"admin", "staff"}), ("[admin staff]", {"admin", "staff"}),
    (["admin"], {"admin"}), ("", set()), (None, set()),
])
def test_groups_claim_in_every_shape_api_gateway_sends(raw, groups):
    assert parse_groups(raw) == groups


def test_caller_comes_from_the_sub_claim():
    caller = caller_from_claims({"sub": "abc-123", "email": "a@example.com", "token_use": "id"})
    assert (caller.user_id, caller.is_admin) == ("abc-123", False)


@pytest.mark.parametrize("claims", [None, {}, {"sub": ""}, {"sub": "x/../y"}, {"sub": "abc", "token_use": "access"}])
def test_missing_or_odd_identity_is_unauthorized(claims):
    with pytest.raises(Unauthorized):
        caller_from_claims(claims)


def test_admin_group_is_required_for_staff_routes():
    with pytest.raises(Forbidden):
        require_admin(caller_from_claims({"sub": "p1"}))
    assert require_admin(caller_from_claims({"sub": "a1", "cognito:groups": "admin"})).is_admin
