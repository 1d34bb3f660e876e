"""Cognito trigger events from events/cognito/ (the files `sam local invoke -e` uses), adapted per test."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.events import _load


def trigger_event(name: str, *, user_pool_id: str | None = None, user_name: str | None = None,
                  attributes: dict[str, Any] | None = None, **request: Any) -> dict[str, Any]:
    """The event file ``events/cognito/<name>.json`` with the pool, user name, user attributes
    (merged) and request fields (replaced) changed."""
    event = copy.deepcopy(_load(f"cognito/{name}.json"))
    if user_pool_id is not None:
        event["userPoolId"] = user_pool_id
    if user_name is not None:
        event["userName"] = user_name
    if attributes is not None:
        event["request"]["userAttributes"] = {**event["request"].get("userAttributes", {}), **attributes}
    event["request"].update(request)
    return event
