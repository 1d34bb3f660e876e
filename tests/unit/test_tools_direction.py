"""The runner depends on the tools, never the other way round: what reads the product's sources
(the template model, the handler loader, the OpenAPI generator) lives in tools/, and the runner,
the tests, the benchmarks, the capacity model and deployment import it from there."""

from __future__ import annotations

import ast
from pathlib import Path

from clinic_tools import template

RUNNER = "clinic_local"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def importers_of(package: str, folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*.py")
                  if any(m == package or m.startswith(f"{package}.") for m in imported_modules(path)))


def test_the_scan_sees_every_way_of_importing_the_runner(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("import os\nimport clinic_localized\n")
    (tmp_path / "late.py").write_text("def f():\n    from clinic_local import gateway\n")
    (tmp_path / "aliased.py").write_text("import clinic_local.cli as cli\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.py").write_text("from clinic_local.gateway import LambdaContext\n")
    assert importers_of(RUNNER, tmp_path) == ["aliased.py", "late.py", "sub/deep.py"]


def test_nothing_under_tools_imports_the_runner() -> None:
    assert list((template.ROOT / "tools").rglob("*.py")), "the scan must see the tools"
    assert importers_of(RUNNER, template.ROOT / "tools") == []


def test_the_runner_has_no_copy_of_what_the_tools_own() -> None:
    runner = template.ROOT / "local" / "clinic_local"
    owned = {path.name for path in (template.ROOT / "tools" / "clinic_tools").glob("*.py")} - {"__init__.py"}
    assert owned == {"handlers.py", "openapi.py", "template.py"}
    assert {path.name for path in runner.glob("*.py")} & owned == set()
