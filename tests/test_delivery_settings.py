"""Push settings: paid broadcast speeds up, contradictions stop the start with one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import SettingsError, load_settings
from bot.delivery.ratelimit import effective_rate

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PUSH_RATE", "PAID_BROADCAST", "DELIVERY_DEADLINE_SECONDS", "BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_paid_broadcast_raises_the_default_rate_to_the_paid_ceiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAID_BROADCAST", "true")
    settings = load_settings()
    assert settings.push_rate == 1000
    assert effective_rate(settings.push_rate, settings.paid_broadcast) == 1000


def test_without_paid_broadcast_the_default_is_30(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSH_RATE", "")  # empty is unset, as in .env.example
    assert load_settings().push_rate == 30


def test_an_explicit_rate_within_the_ceiling_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAID_BROADCAST", "true")
    monkeypatch.setenv("PUSH_RATE", "500")
    assert load_settings().push_rate == 500


@pytest.mark.parametrize(
    ("rate", "paid", "says"),
    [("100", "false", "PAID_BROADCAST=true"), ("1500", "true", "1000"), ("31", "", "30")],
)
def test_a_rate_above_the_ceiling_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, rate: str, paid: str, says: str
) -> None:
    monkeypatch.setenv("PUSH_RATE", rate)
    if paid:
        monkeypatch.setenv("PAID_BROADCAST", paid)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "PUSH_RATE" in message and says in message
    assert "\n" not in message


def test_the_bot_refuses_to_start_with_a_contradiction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `python -m bot run` through its main: it stops at the settings, before starting.
    for name in list(os.environ):
        if name.startswith(("PUSH_", "PAID_", "BOT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PUSH_RATE", "100")
    monkeypatch.setenv("PAID_BROADCAST", "false")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main(["run"])
    assert stopped.value.code == 2
    out = capsys.readouterr()
    lines = [line for line in (out.out + out.err).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "PUSH_RATE" in lines[0] and "PAID_BROADCAST" in lines[0]
    assert TOKEN not in lines[0]


def test_the_deadline_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().delivery_deadline_seconds == 6 * 3600
    monkeypatch.setenv("DELIVERY_DEADLINE_SECONDS", "7200")
    assert load_settings().delivery_deadline_seconds == 7200
