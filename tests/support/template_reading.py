"""Reading template.yaml's resources in tests: what an intrinsic names and a function's policy
statements, so that every template test asks these the same way."""

from __future__ import annotations

import re
from typing import Any

from clinic_tools import template


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def arn(logical_id: str) -> dict[str, Any]:
    """``!GetAtt <logical_id>.Arn`` as the template loader reads it."""
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def target(value: Any) -> str | None:
    """The logical id named by !Ref X, !GetAtt X.Attr or !Sub "${X.Arn}/..."."""
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        match = re.match(r"^\$\{(\w+)\.Arn\}", value["Fn::Sub"])
        return match.group(1) if match else None
    return None


def statements(logical_id: str) -> list[dict[str, Any]]:
    """A function's policy statements; its policies are inline statements only (no managed or
    SAM template policies, whose resources this suite could not see)."""
    found = []
    for policy in template.functions()[logical_id].properties.get("Policies", []):
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, f"{logical_id}: inline statements only"
        found += policy["Statement"]
    return found
