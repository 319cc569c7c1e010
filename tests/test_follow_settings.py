"""FOLLOW_* settings: defaults, lists of URLs, and one clear line for a bad one."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.services.follow import user_agent


def test_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.follow_interval_seconds == 60
    assert settings.follow_urls == ()
    assert settings.follow_allow_loopback is False


def test_urls_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOW_URLS", "https://a.example/live, https://b.example/feed.xml")
    monkeypatch.setenv("FOLLOW_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("FOLLOW_INTERVAL_SECONDS", "30")
    settings = load_settings(_env_file=None)
    assert settings.follow_urls == ("https://a.example/live", "https://b.example/feed.xml")
    assert settings.follow_allow_loopback and settings.follow_interval_seconds == 30


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("FOLLOW_URLS", "ftp://a.example/x", "FOLLOW_URLS"),
        ("FOLLOW_INTERVAL_SECONDS", "0", "FOLLOW_INTERVAL_SECONDS"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_the_user_agent_names_the_bot() -> None:
    assert user_agent().startswith("briefing-bot/")
