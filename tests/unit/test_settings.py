import pytest

from clinic.settings import Settings, SettingsError, get_settings


def test_a_missing_variable_fails_loudly_with_its_name(monkeypatch):
    monkeypatch.delenv("APPOINTMENTS_TABLE")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="APPOINTMENTS_TABLE"):
            get_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_cursor_key_source_is_required(monkeypatch):
    names = ("USERS_TABLE", "BIOMARKERS_TABLE", "BIOMARKER_SUMMARY_TABLE", "APPOINTMENTS_TABLE", "MEDICATIONS_TABLE",
             "AUDIT_TABLE")
    env = dict.fromkeys(names, "some-table")
    env |= {"ROLLUPS_TABLE": "some-table", "ROLLUP_MARKERS_TABLE": "some-table", "ROLLUP_QUEUE_URL": "https://q"}
    with pytest.raises(ValueError, match="CURSOR"):
        Settings.model_validate(env)


def test_settings_are_parsed_once_per_process():
    assert get_settings() is get_settings()


def test_an_unknown_clinic_time_zone_fails_loudly_with_its_name(monkeypatch):
    monkeypatch.setenv("CLINIC_TIMEZONE", "America/Nowhere")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="CLINIC_TIMEZONE"):
            get_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
