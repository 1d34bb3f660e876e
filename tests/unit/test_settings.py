"""Settings by feature: parsed once per process, a missing or malformed variable named in the
error, and a function's own variables checked when its module is imported (its cold start)."""

import ast
import importlib.util
import sys

import pytest

from clinic import settings
from clinic.settings import (
    SHARED,
    ClinicTime,
    Cursors,
    EmailLinks,
    LiveConnections,
    SettingsError,
    Tables,
    get_settings,
)
from clinic_tools import template

SHARED_TABLE_NAMES = {"USERS_TABLE", "BIOMARKERS_TABLE", "BIOMARKER_SUMMARY_TABLE", "APPOINTMENTS_TABLE",
                      "MEDICATIONS_TABLE", "REFILL_REQUESTS_TABLE", "AUDIT_TABLE", "ROLLUPS_TABLE"}


@pytest.fixture
def environment(monkeypatch):
    settings.reset()
    yield monkeypatch
    monkeypatch.undo()
    settings.reset()


def test_a_missing_variable_fails_loudly_with_its_name(environment):
    environment.delenv("APPOINTMENTS_TABLE")
    with pytest.raises(SettingsError, match="APPOINTMENTS_TABLE"):
        get_settings(Tables)


def test_a_cursor_key_source_is_required():
    with pytest.raises(ValueError, match="CURSOR"):
        Cursors.model_validate({})


def test_settings_are_parsed_once_per_process():
    assert get_settings(Tables) is get_settings(Tables)


def test_an_unknown_clinic_time_zone_fails_loudly_with_its_name(environment):
    environment.setenv("CLINIC_TIMEZONE", "America/Nowhere")
    with pytest.raises(SettingsError, match="CLINIC_TIMEZONE"):
        get_settings(ClinicTime)


def test_a_feature_reads_only_its_own_variables(environment):
    # Given a function without the live-updates variables
    environment.delenv("CONNECTIONS_TABLE")
    # Then the tables are still there, and the missing feature names its variable
    assert get_settings(Tables).users_table
    with pytest.raises(SettingsError, match="CONNECTIONS_TABLE"):
        get_settings(LiveConnections)


def test_a_check_reports_every_missing_variable_at_once(environment):
    environment.delenv("USERS_TABLE")
    environment.delenv("EMAIL_LINK_URL")
    with pytest.raises(SettingsError, match=r"USERS_TABLE.*EMAIL_LINK_URL"):
        settings.check(EmailLinks)


def test_the_template_globals_give_every_function_the_shared_features():
    # The shared features are not checked per function: Globals must carry all their required variables.
    given = set(template.load()["Globals"]["Function"]["Environment"]["Variables"])
    required = {field.alias for feature in SHARED for field in feature.model_fields.values() if field.is_required()}
    assert required == SHARED_TABLE_NAMES | {"ROLLUP_MARKERS_TABLE", "ROLLUP_MARKER_SHARDS", "ROLLUP_QUEUE_URL"}
    assert required <= given
    assert "CURSOR_SECRET_ARN" in given  # Cursors needs one of its two key sources


def _import_handler(logical_id: str) -> None:
    fn = template.functions()[logical_id]
    spec = importlib.util.spec_from_file_location(f"cold_start_{logical_id}", fn.code_uri / "app.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)


def test_a_function_missing_its_table_variable_fails_at_import_with_its_name(environment):
    # Given the disconnect function deployed without CONNECTIONS_TABLE
    environment.delenv("CONNECTIONS_TABLE")
    # When Lambda imports its module (the cold start), before any invocation
    # Then the import fails and says which variable is missing
    with pytest.raises(SettingsError, match="CONNECTIONS_TABLE"):
        _import_handler("LiveDisconnectFunction")


def test_a_function_with_its_variables_imports(environment):
    _import_handler("LiveDisconnectFunction")


def _checked_features(logical_id: str) -> list[type[settings.Feature]]:
    """The features a function's app.py names in its ``check(...)`` call."""
    source = (template.functions()[logical_id].code_uri / "app.py").read_text()
    return [getattr(settings, arg.id) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check" for arg in node.args]


def _aliases(feature: type[settings.Feature], *, required_only: bool = False) -> set[str]:
    return {f.alias for f in feature.model_fields.values() if f.alias and (f.is_required() or not required_only)}


@pytest.mark.parametrize("logical_id", sorted(template.functions()))
def test_a_functions_own_variables_are_the_features_it_checks_at_cold_start(logical_id):
    own = set(template.functions()[logical_id].properties.get("Environment", {}).get("Variables", {}))
    given = own | set(template.load()["Globals"]["Function"]["Environment"]["Variables"])
    checked = _checked_features(logical_id)
    # Every variable the template gives this function alone belongs to a feature it checks at import
    assert own <= set().union(*(_aliases(f) for f in checked)), f"{logical_id}: check(...) its features"
    # and the template gives it every variable those features require
    assert set().union(*(_aliases(f, required_only=True) for f in checked)) <= given
