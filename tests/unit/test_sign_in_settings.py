import pytest

from clinic import mail, settings
from clinic.settings import Mail, SettingsError, UserPool, get_settings


@pytest.fixture
def fresh_settings(monkeypatch):
    settings.reset()
    mail.sender.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    settings.reset()
    mail.sender.cache_clear()


def test_a_setting_only_some_functions_have_fails_loudly_by_name_when_missing(fresh_settings):
    fresh_settings.delenv("USER_POOL_ID", raising=False)
    with pytest.raises(SettingsError, match="USER_POOL_ID"):
        get_settings(UserPool)


def test_links_go_through_ses_unless_the_console_is_asked_for(fresh_settings):
    assert isinstance(mail.sender(), mail.SesSender)
    fresh_settings.setenv("EMAIL_SENDER", "console")
    settings.reset()
    mail.sender.cache_clear()
    assert isinstance(mail.sender(), mail.ConsoleSender)


def test_the_console_sender_prints_the_whole_message(capsys):
    mail.ConsoleSender().send(mail.Email(to="a@example.com", subject="Your sign-in link", text="http://x/#token=t"))
    out = capsys.readouterr().out
    assert "a@example.com" in out
    assert "http://x/#token=t" in out


def test_an_unknown_sender_kind_is_a_configuration_error(fresh_settings):
    fresh_settings.setenv("EMAIL_SENDER", "carrier-pigeon")
    with pytest.raises(SettingsError, match="EMAIL_SENDER"):
        get_settings(Mail)


def test_ses_without_a_sender_address_is_a_configuration_error(fresh_settings):
    fresh_settings.setenv("EMAIL_SENDER", "ses")
    fresh_settings.delenv("EMAIL_FROM", raising=False)
    with pytest.raises(SettingsError, match="EMAIL_FROM"):
        get_settings(Mail)
