"""`python -m bot console`: the offline chat, run as a person runs it (stdin piped)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import REPO

pytestmark = pytest.mark.timeout(120)


def console(workdir: Path, lines: list[str]) -> str:
    """What the console printed for `lines` typed by an editor (English), one after another."""
    (workdir / "seeds").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(
        DATABASE_PATH=str(workdir / "bot.sqlite3"),
        SEEDS_DIR=str(workdir / "seeds"),
        PYTHONPATH=str(REPO),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--admin", "--language", "en"],
        cwd=workdir,
        env=env,
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_editors_push_to_their_own_chat_is_delivered_while_they_keep_typing(
    tmp_path: Path,
) -> None:
    # Piped lines come faster than one a second, as a busy editor's do. Each reply took the
    # chat's slot again, and the push of the editor's own item waited until they stopped.
    stats = 15
    out = console(
        tmp_path,
        ["/newstory Console desk", "/subscribe", "/post Headline\\nPushed body text"]
        + ["/stats"] * stats,
    )
    replies = out.split("bot:")
    pushed = [n for n, text in enumerate(replies) if "Pushed body text" in text]
    assert pushed, out
    progress = [text for text in replies if "Statistics" in text]
    assert len(progress) == stats, out
    # Delivered while the editor was still typing, and counted: 1/1, nothing pending.
    after = [text for text in replies[pushed[0] + 1 :] if "Statistics" in text]
    assert len(after) >= 2, out
    assert "1/1" in after[-1] and "pending" not in after[-1], after[-1]
