"""The deployed stack as the tools see it: its name and region from samconfig.toml (the same
profile `sam deploy --config-env` uses), its outputs and parameters from CloudFormation."""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass
from typing import Any

from clinic_tools import template

SAMCONFIG = template.ROOT / "samconfig.toml"


@dataclass(frozen=True)
class Profile:
    """One `[<env>.deploy.parameters]` table of samconfig.toml."""

    env: str
    stack_name: str
    region: str
    parameter_overrides: dict[str, str]


def profile(env: str, text: str | None = None) -> Profile:
    config = tomllib.loads(text if text is not None else SAMCONFIG.read_text())
    if env not in config or "deploy" not in config[env]:
        raise SystemExit(f"samconfig.toml has no [{env}.deploy.parameters]")
    deploy = config[env]["deploy"]["parameters"]
    return Profile(env, deploy["stack_name"], deploy.get("region", "us-east-1"),
                   parse_overrides(deploy.get("parameter_overrides", "")))


def parse_overrides(text: str) -> dict[str, str]:
    """`Key=Value Key2="a b"` (SAM's parameter_overrides) as a dict, in order."""
    return dict(part.split("=", 1) for part in shlex.split(text))


def format_overrides(values: dict[str, str]) -> str:
    return " ".join(f"{k}={shlex.quote(v)}" for k, v in values.items())


def describe(cloudformation: Any, stack_name: str) -> dict[str, Any]:
    (found,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return dict(found)


def outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in describe(cloudformation, stack_name).get("Outputs", [])}


def parameters(cloudformation: Any, stack_name: str) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue", "")
            for p in describe(cloudformation, stack_name).get("Parameters", [])}


def physical_ids(cloudformation: Any, stack_name: str, *logical_ids: str) -> dict[str, str]:
    """The physical names of some of the stack's resources (tables, the user pool)."""
    found = {}
    for logical_id in logical_ids:
        detail = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=logical_id)
        found[logical_id] = detail["StackResourceDetail"]["PhysicalResourceId"]
    return found
