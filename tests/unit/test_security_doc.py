"""docs/security.md cites template resources and tests as its evidence: every logical ID in a
"Template" column must exist in template.yaml, and every cited test must be a node pytest
collects (so renaming or deleting a test, or a resource, breaks the doc's build, not its truth)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from clinic_tools import template

DOC = template.ROOT / "docs" / "security.md"
NODE = re.compile(r"`(tests/[\w/]+\.py::\w+)`")
TICKED = re.compile(r"`([^`]+)`")


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Markdown tables as (header cells, rows of cells)."""
    found, lines = [], text.splitlines()
    for number, line in enumerate(lines):
        is_start = line.startswith("|") and number + 1 < len(lines) and set(lines[number + 1]) <= set("|-: ")
        if is_start and (number == 0 or not lines[number - 1].startswith("|")):
            header = [c.strip() for c in line.strip("|").split("|")]
            rows = []
            for row in lines[number + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip("|").split("|")])
            found.append((header, rows))
    return found


def column(name: str) -> list[str]:
    cells = []
    for header, rows in tables(DOC.read_text()):
        if name in header:
            cells += [row[header.index(name)] for row in rows]
    return cells


def cited_logical_ids() -> set[str]:
    return {token for cell in column("Template (logical IDs)") for token in TICKED.findall(cell)}


def cited_tests() -> set[str]:
    return set(NODE.findall(DOC.read_text()))


def collected(paths: set[str]) -> set[str]:
    """Node ids pytest collects from ``paths``, without their parameters."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
                             "-p", "no:cacheprovider", *sorted(paths)],
                            cwd=template.ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {line.split("[")[0] for line in result.stdout.splitlines() if "::" in line}


def test_the_doc_maps_every_safeguard_and_every_owasp_risk():
    text = DOC.read_text()
    for safeguard in ("(a)(1)", "(a)(2)(i)", "(a)(2)(ii)", "(a)(2)(iii)", "(a)(2)(iv)", "(b)", "(c)(1)", "(c)(2)",
                      "(d)", "(e)(1)"):
        assert f"| {safeguard} " in text, safeguard
    for number in range(1, 11):
        assert f"| API{number} " in text, f"API{number}"
    assert cited_logical_ids() and len(cited_tests()) > 30


def test_every_cited_logical_id_is_in_the_template():
    resources = set(template.load()["Resources"])
    missing = sorted(cited_logical_ids() - resources)
    assert not missing, f"docs/security.md cites resources template.yaml does not have: {missing}"


@pytest.mark.parametrize("cell", column("Template (logical IDs)"))
def test_template_cells_hold_only_logical_ids(cell):
    assert TICKED.findall(cell), "a Template cell names at least one resource"
    assert not TICKED.sub("", cell).strip(" ,"), f"only `LogicalId`s in a Template cell: {cell}"


@pytest.mark.parametrize("cell", column("Tests"))
def test_tests_cells_hold_only_test_node_ids(cell):
    assert NODE.findall(cell), "a Tests cell cites at least one test"
    assert not NODE.sub("", cell).strip(" ,"), f"only `tests/...py::test_name` in a Tests cell: {cell}"


def test_every_cited_test_exists():
    cited = cited_tests()
    missing = sorted(cited - collected({node.split("::")[0] for node in cited}))
    assert not missing, f"docs/security.md cites tests pytest does not collect: {missing}"


def test_the_check_catches_a_test_that_does_not_exist():
    assert "tests/unit/test_security_doc.py::test_no_such_thing" not in collected({"tests/unit/test_security_doc.py"})
    assert "tests/unit/test_security_doc.py::test_every_cited_test_exists" in collected(
        {"tests/unit/test_security_doc.py"})
