"""Code and docs cite only documents that are in the repository: a reader can follow every
reference, and nothing points at a document they cannot open."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from clinic_tools import template

ROOT = template.ROOT
SKIPPED_DIRS = {".git", ".venv", ".aws-sam", "build", "node_modules", "dist", "__pycache__", ".hypothesis",
                ".mypy_cache", ".ruff_cache", ".local", ".schemathesis"}
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".ts", ".tsx", ".mjs", ".json", ".txt", ".cfg"}
GENERATED = {"web/package-lock.json", "docs/openapi.json"}
# A file name ending in .md, alone or as the last part of a path (docs/decisions.md, README.md).
CITED_DOC = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.md)\b")
# Names of documents that live somewhere else: the product is described by its own files only.
OUTSIDE_DOCUMENTS = re.compile(r"design brief|the brief\b|design doc\b", re.IGNORECASE)


def source_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS or part.startswith(".venv") for part in relative.parts):
            continue
        if path.is_file() and path.suffix in SUFFIXES and relative.as_posix() not in GENERATED:
            files.append(path)
    return files


def exists(cited: str, citing: Path, names: set[str]) -> bool:
    """A citation resolves from the repository root or the citing file's folder; a bare file name
    (a path built in parts) names some file of the repository."""
    return (ROOT / cited).is_file() or (citing.parent / cited).is_file() or cited in names


def test_the_scan_sees_the_code_and_the_docs() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in source_files()}
    assert {"README.md", "docs/decisions.md", "shared/clinic/settings.py", "web/src/api/client.ts"} <= names


def test_every_cited_document_is_in_the_repository() -> None:
    files = source_files()
    names = {path.name for path in files}
    missing = []
    for path in files:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            missing += [f"{path.relative_to(ROOT)}:{number}: {cited}" for cited in CITED_DOC.findall(line)
                        if not exists(cited, path, names)]
    assert missing == [], "documents cited but not in the repository:\n" + "\n".join(missing)


def test_no_file_points_at_a_document_outside_the_repository() -> None:
    this_file = Path(__file__).resolve()
    found = []
    for path in source_files():
        if path.resolve() == this_file:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if OUTSIDE_DOCUMENTS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "references to documents outside the repository:\n" + "\n".join(found)


def test_the_readme_does_not_call_the_configured_cors_missing() -> None:
    # Given the REST API allows the dashboard's origin
    api = template.load()["Resources"]["ClinicApi"]["Properties"]
    assert "AllowedOrigins" in yaml.safe_dump(api["Cors"])
    # Then the README does not tell deployers that CORS is still to be done
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "no CORS configuration" not in readme
    assert "AllowedOrigins" in readme
