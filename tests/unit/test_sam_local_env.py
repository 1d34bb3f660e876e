"""events/sam-local-env.json points `sam local invoke` at `make dev`'s moto: every table and queue
variable any function reads (derived from template.yaml) is there, with the local runner's name."""

from __future__ import annotations

import json
from typing import Any

from clinic_tools import template

ENV_FILE = template.ROOT / "events" / "sam-local-env.json"
MOTO = "http://host.docker.internal:5000"
ACCOUNT = "123456789012"


def _referenced(value: Any) -> str | None:
    """The logical id a variable's value refers to (``!Ref X``), if any."""
    return value.get("Ref") if isinstance(value, dict) else None


def variables_by_function() -> dict[str, dict[str, Any]]:
    globals_ = template.load().get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    return {logical_id: {**globals_, **(fn.properties.get("Environment") or {}).get("Variables", {})}
            for logical_id, fn in template.functions().items()}


def expected_local_values() -> dict[str, str]:
    """Each table or queue variable any function reads -> the value `make dev` gives it."""
    tables = template.table_definitions()
    queues = template.queue_definitions()
    expected: dict[str, str] = {}
    for variables in variables_by_function().values():
        for name, value in variables.items():
            target = _referenced(value)
            if target in tables:
                expected[name] = tables[target]["TableName"]
            elif target in queues:
                expected[name] = f"{MOTO}/{ACCOUNT}/{queues[target]['QueueName']}"
    return expected


def test_every_table_and_queue_variable_of_every_function_is_in_the_env_file():
    given = json.loads(ENV_FILE.read_text())["Parameters"]
    expected = expected_local_values()
    assert {"AUDIT_TABLE", "AUTH_TABLE", "CONNECTIONS_TABLE", "USERS_TABLE"} <= set(expected)  # the derivation works
    missing = sorted(set(expected) - set(given))
    assert not missing, f"events/sam-local-env.json lacks {missing}"
    assert {name: given[name] for name in expected} == expected
