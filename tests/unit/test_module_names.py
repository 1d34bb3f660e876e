"""Names that explain themselves: each table has one repository, named for it, and no module name
is both a service and a repository (which forced imports like ``users as users_service``)."""

from __future__ import annotations

import re
from pathlib import Path

from clinic import settings
from clinic_tools import template

CLINIC = template.ROOT / "shared" / "clinic"
REPOSITORIES = CLINIC / "repositories"
# Reads of a second table inside one request, where the request is the point.
SHARED_READS = {
    ("biomarker_summary_table", "UsersTable"): "the record path's one BatchGetItem also checks each user exists",
}


def modules(folder: Path) -> set[str]:
    return {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}


def snake(logical_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", logical_id).lower()


def table_of_field() -> dict[str, str]:
    """Settings field (``users_table``) -> the template table it names (``UsersTable``)."""
    refs = {}
    for fn in [{"Environment": template.load()["Globals"]["Function"]["Environment"]},
               *(f.properties for f in template.functions().values())]:
        for name, value in fn.get("Environment", {}).get("Variables", {}).items():
            if isinstance(value, dict) and "Ref" in value:
                refs[name] = value["Ref"]
    tables = set(template.resources("AWS::DynamoDB::Table"))
    features = [f for f in vars(settings).values() if isinstance(f, type) and issubclass(f, settings.Feature)]
    return {field: refs[info.alias] for feature in features for field, info in feature.model_fields.items()
            if refs.get(info.alias) in tables}


def test_no_module_is_both_a_service_and_a_repository() -> None:
    both = modules(CLINIC / "services") & modules(REPOSITORIES)
    assert both == set(), f"rename one side: {sorted(both)}"


def test_every_table_has_a_repository_named_for_it() -> None:
    tables = set(template.resources("AWS::DynamoDB::Table"))
    assert len(tables) >= 10
    missing = {snake(t) for t in tables} - modules(REPOSITORIES)
    assert missing == set(), f"repositories missing for: {sorted(missing)}"


def test_a_table_is_read_and_written_by_its_own_repository_only() -> None:
    fields = table_of_field()
    assert fields["summary_table"] == "BiomarkerSummaryTable"
    strays = []
    for path in sorted(REPOSITORIES.glob("*.py")):
        for field in set(re.findall(r"\.(\w+_table)\b", path.read_text())) & set(fields):
            table = fields[field]
            if path.stem != snake(table) and (path.stem, table) not in SHARED_READS:
                strays.append(f"{path.name} reaches {table}")
    assert strays == [], "move these into the table's own repository:\n" + "\n".join(strays)


def test_the_routes_of_the_caller_s_own_account_live_in_one_area() -> None:
    me = template.ROOT / "functions" / "me"
    own = {r.function for r in template.routes() if r.path == "/me" or r.path.startswith("/me/")}
    assert len(own) == 5  # GET, PATCH and DELETE /me, GET /me/export, GET /me/access-log
    areas = {template.functions()[f].code_uri.parent for f in own}
    assert areas == {me}
    served_elsewhere = {f for f, fn in template.functions().items() if fn.code_uri.parent == me} - own
    assert served_elsewhere == set()
