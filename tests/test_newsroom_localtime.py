"""Local time: a chat's zone, quiet hours on its clock, digests combined (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import SettingsError, load_settings
from bot.db import subscriptions
from bot.db.subscriptions import hold_until
from bot.handlers.localtime import parse_window
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, eventually, inproc_bot

pytestmark = pytest.mark.timeout(60)
BERLIN = ZoneInfo("Europe/Berlin")


def _ts(text: str, tz: ZoneInfo | None = None) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=tz or UTC).timestamp()


def test_quiet_hours_follow_the_zone_and_its_summer_time() -> None:
    # Winter: 23:30 in Berlin is 22:30 UTC; quiet 23–08 Berlin ends at 07:00 UTC.
    now = _ts("2026-01-10T22:30:00")
    assert hold_until("each", 23, 8, 0, now, "Europe/Berlin") == _ts("2026-01-11T07:00:00")
    # Summer: the same window ends at 06:00 UTC.
    now = _ts("2026-07-10T22:30:00")
    assert hold_until("each", 23, 8, 0, now, "Europe/Berlin") == _ts("2026-07-11T06:00:00")
    # Outside the window nothing is held.
    now = _ts("2026-01-10T21:30:00")  # 22:30 in Berlin
    assert hold_until("each", 23, 8, 0, now, "Europe/Berlin") == now
    # Over the spring change (02:00 → 03:00, 29 March 2026) the morning is still 08:00 local.
    now = _ts("2026-03-29T00:30:00")  # 01:30 CET
    due = hold_until("each", 23, 8, 0, now, "Europe/Berlin")
    assert datetime.fromtimestamp(due, BERLIN).hour == 8


def test_a_digest_and_quiet_hours_combine() -> None:
    now = _ts("2026-01-10T21:40:00")  # 22:40 in Berlin, before quiet hours
    # The digest would go at 23:00 local, which is inside 23–07: it waits for 07:00.
    due = hold_until("digest", 23, 7, 0, now, "Europe/Berlin")
    assert datetime.fromtimestamp(due, BERLIN) == datetime(2026, 1, 11, 7, tzinfo=BERLIN)
    # Without quiet hours the digest goes at the next full local hour.
    due = hold_until("digest", None, None, 0, now, "Asia/Kolkata")  # UTC+05:30
    assert datetime.fromtimestamp(due, ZoneInfo("Asia/Kolkata")).minute == 0
    assert 0 < due - now <= 3600


def test_typed_windows() -> None:
    assert parse_window("23-08") == (23, 8)
    assert parse_window("23:00–8:00") == (23, 8)
    assert parse_window("22 bis 6") == (22, 6)
    for bad in ("25-07", "7-7", "abends", "", "22"):
        assert parse_window(bad) is None, bad


def test_a_bad_timezone_setting_is_one_line_naming_it() -> None:
    with pytest.raises(SettingsError, match="TIMEZONE"):
        load_settings(_env_file=None, timezone="Mars/Olympus")
    assert load_settings(_env_file=None, timezone="europe/berlin").timezone == "Europe/Berlin"


async def test_the_reader_sets_quiet_hours_in_local_time_and_pushes_wait(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, timezone="Europe/Berlin") as bot:
        db = bot.app.bot_data.db
        answer = await bot.ask_messages(READER_DE, "/settings")
        view = answer[-1]
        assert "Europe/Berlin" in (view.text or "")
        quiet = next(d for d in view.callback_data if d.endswith(":quiet"))
        answered = await bot.press(READER_DE, view, quiet)
        assert "22–07 Uhr (Europe/Berlin)" in answered["text"]
        view = bot.current(view)
        assert "Ruhezeit: 22–07 Uhr (Europe/Berlin)" in (view.text or "")
        later_end = next(d for d in view.callback_data if d.startswith("qh:") and d.endswith(":8"))
        answered = await bot.press(READER_DE, view, later_end)
        sub = await subscriptions.get_subscription(db, READER_DE, 1)
        assert sub is not None and (sub.quiet_start, sub.quiet_end) == (22, 8)
        assert sub.timezone == "Europe/Berlin"
        # Hourly digest and quiet hours together: the switch keeps the quiet hours.
        hourly = next(d for d in bot.current(view).callback_data if d.endswith(":hourly"))
        await bot.press(READER_DE, bot.current(view), hourly)
        sub = await subscriptions.get_subscription(db, READER_DE, 1)
        assert sub is not None and sub.mode == "digest" and sub.quiet_start == 22

        # Quiet hours around the reader's present hour: a push waits for their end.
        hour = datetime.now(BERLIN).hour
        start, end = hour, (hour + 2) % 24
        done = await bot.ask_text(READER_DE, f"/quiet {start}-{end}")
        assert f"{start:02d}–{end:02d} Uhr (Europe/Berlin)" in done
        assert "Jede Meldung" not in done
        await bot.ask(READER_EN, "/subscribe")
        await bot.ask(EDITOR_ID, "/post Nachtsitzung in Brüssel\nDie Runde tagt weiter.")
        await eventually(
            lambda: any("Nachtsitzung" in (m.text or "") for m in bot.sent(READER_EN)),
            "the push to the reader without quiet hours",
        )
        assert not any("Nachtsitzung" in (m.text or "") for m in bot.sent(READER_DE))
        row = await db.fetchone(
            "SELECT next_at FROM deliveries WHERE chat_id = ? AND status = 'pending'",
            (READER_DE,),
        )
        assert row is not None
        held_until = datetime.fromtimestamp(row["next_at"], BERLIN)
        assert (held_until.hour, held_until.minute) == (end, 0)


async def test_timezone_command_chooses_and_refuses_unknown_zones(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        shown = await bot.ask_text(READER_EN, "/timezone")
        assert "UTC" in shown and "/timezone Europe/London" in shown
        refused = await bot.ask_text(READER_EN, "/timezone Mars/Olympus")
        assert "don't know" in refused and "Mars/Olympus" in refused
        await bot.ask(READER_EN, "/subscribe")
        saved = await bot.ask_text(READER_EN, "/timezone america/new_york")
        assert "America/New_York" in saved
        assert "EST" in saved or "EDT" in saved  # the clock shown names its zone
        sub = await subscriptions.get_subscription(bot.app.bot_data.db, READER_EN, 1)
        assert sub is not None and sub.timezone == "America/New_York"
        assert "nonsense" not in await bot.ask_text(READER_EN, "/quiet nonsense")
        assert "/quiet 22-07" in await bot.ask_text(READER_EN, "/quiet nonsense")
        help_text = await bot.ask_text(READER_EN, "/help")
        assert "/timezone" in help_text and "/quiet" in help_text
