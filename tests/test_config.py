"""Settings: what an operator sees when a setting is missing or malformed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest

from bot.__main__ import main
from bot.config import SettingsError, load_settings

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name in {
            "BOT_TOKEN",
            "ADMIN_IDS",
            "DATABASE_PATH",
            "SEEDS_DIR",
            "LOG_LEVEL",
            "TELEGRAM_BASE_URL",
            "PUSH_RATE",
            "CHANNEL_ID",
            "PAID_BROADCAST",
        }:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", {42}), ("42,43", {42, 43}), (" 42 , 43 ,", {42, 43}), ("", set())],
)
def test_admin_ids_accept_one_or_many(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]
) -> None:
    monkeypatch.setenv("ADMIN_IDS", raw)
    assert load_settings().admin_ids == expected


def test_malformed_admin_ids_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "42,alice")
    with pytest.raises(SettingsError, match="ADMIN_IDS"):
        load_settings()


def test_malformed_token_is_named_but_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "999:not-a-real-token")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "BOT_TOKEN" in str(caught.value)
    assert "not-a-real-token" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("CHANNEL_ID", str(2**64 + 5)),
        ("CHANNEL_ID", str(-(2**63))),
        ("CHANNEL_ID", "0"),
        ("ADMIN_IDS", f"42,{2**70}"),
    ],
)
def test_ids_no_chat_can_have_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, name: str, raw: str
) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(SettingsError, match=name) as caught:
        load_settings()
    assert "52 bits" in str(caught.value)


def test_real_channel_and_group_ids_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHANNEL_ID", "-1001234567890")
    monkeypatch.setenv("ADMIN_IDS", "7123456789")
    settings = load_settings()
    assert settings.channel_id == -1001234567890 and settings.admin_ids == {7123456789}


def test_huge_channel_id_stops_the_start_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"BOT_TOKEN": TOKEN, "CHANNEL_ID": str(2**64)}
    result = _run_bot(env, tmp_path, monkeypatch, capsys)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "CHANNEL_ID" in lines[0], result.stderr


def test_dotenv_with_empty_values_loads(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text((REPO / ".env.example").read_text())
    settings = load_settings()
    assert settings.bot_token is None and settings.channel_id is None


def test_file_url_follows_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    assert load_settings().file_base_url == "http://127.0.0.1:8081/file/bot"


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def _run_bot(
    env: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """`python -m bot` through its main in this process, in `cwd` with `env` on top of this
    process's environment: the exit code and what it printed (it stops before starting)."""
    for name in ("BOT_TOKEN", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    try:
        code = main([])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out = capsys.readouterr()
    return Run(code, out.out, out.err)


def test_start_without_token_explains_in_one_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _run_bot({}, tmp_path, monkeypatch, capsys)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "BOT_TOKEN" in lines[0] and "@BotFather" in lines[0] and "console" in lines[0]


def test_malformed_setting_stops_start_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _run_bot({"BOT_TOKEN": TOKEN, "PUSH_RATE": "fast"}, tmp_path, monkeypatch, capsys)
    assert result.returncode == 2
    assert "PUSH_RATE" in result.stderr and "Traceback" not in result.stderr
