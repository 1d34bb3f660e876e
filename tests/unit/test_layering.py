"""The layers of ``clinic``, read from the imports of every module (with ``ast``: nothing is run).

Entry (``clinic.entry``: HTTP, Cognito trigger, batch, direct invoke, schedule) and the HTTP route
pieces (``clinic.api``) sit on top; services and repositories below them never reach up; models
are the bottom and import neither. Identity (``clinic.identity``) sits below services.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "shared" / "clinic"
TRANSPORT = ("clinic.api", "clinic.entry")
FORBIDDEN = {
    "clinic.services": TRANSPORT,
    "clinic.repositories": (*TRANSPORT, "clinic.services"),
    "clinic.models": (*TRANSPORT, "clinic.services", "clinic.repositories"),
    "clinic.identity": (*TRANSPORT, "clinic.services", "clinic.repositories"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(modules: dict[str, set[str]]) -> list[str]:
    return sorted(f"{module} imports {name}"
                  for module, names in modules.items()
                  for layer, forbidden in FORBIDDEN.items() if within(module, layer)
                  for name in names if any(within(name, up) for up in forbidden))


def test_every_layer_imports_only_what_lies_below_it():
    modules = {module_name(path): imported(path) for path in PACKAGE.rglob("*.py")}
    assert {"clinic.services.users", "clinic.models.users", "clinic.identity"} <= modules.keys()

    assert violations(modules) == []


@pytest.mark.parametrize(("module", "name"), [
    ("clinic.services.users", "clinic.api.params"),
    ("clinic.services.live", "clinic.entry.http"),
    ("clinic.repositories.users_table", "clinic.services"),
    ("clinic.models.users", "clinic.entry"),
    ("clinic.identity", "clinic.api"),
])
def test_an_import_reaching_up_is_found(module, name):
    assert violations({module: {name}}) == [f"{module} imports {name}"]


def test_an_import_reaching_down_is_allowed():
    assert violations({"clinic.entry.http": {"clinic.services.users", "clinic.identity"},
                       "clinic.services.users": {"clinic.repositories.users_table", "clinic.identity"}}) == []


# Transport envelopes: the fields by which Lambda's event sources wrap what they deliver.
ENVELOPE_FIELDS = {"Records", "requestContext", "eventSourceARN", "queryStringParameters", "batchItemFailures",
                   "messageId", "pathParameters"}


def envelope_fields(path: Path) -> set[str]:
    """The envelope fields ``path`` names in a string constant (a subscript, a get, a literal)."""
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and node.value in ENVELOPE_FIELDS}


def test_services_take_domain_inputs_not_transport_envelopes():
    unwrapping = {module_name(path) for path in (PACKAGE / "services").glob("*.py") if envelope_fields(path)}

    assert unwrapping == set()
