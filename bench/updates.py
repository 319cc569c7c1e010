"""Updates per second end to end: many users at once against `python -m bot` on loopback.

    python -m bench updates [--users 500] [--per-user 4] [--latency-ms 0] [--json] [--record]

This process hosts the fake Bot API (tests/fakes/botapi.py); the bot runs as its own
process, long-polling it exactly as it polls Telegram. All updates are queued at once and
the clock runs until every one of them has been answered. PUSH_RATE is raised to the paid
ceiling so the figure is the bot's capacity; with the default 30/s the reply budget, not
the bot, is the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import emit, record_result
from tests.fakes.botapi import DEFAULT_TOKEN, FakeBotApi

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "ukraine-nato-liveblog.de.txt"
COMMANDS = ("/summary", "/people", "/ticker 3", "/quotes Rutte", "/search NATO")
FIRST_USER = 200_000


async def run(users: int, per_user: int, latency_ms: float, limit_s: float) -> dict[str, Any]:
    """Queue users × per_user commands and time until all are answered."""
    server = FakeBotApi(token=DEFAULT_TOKEN, latency=latency_ms / 1000, record=False)
    await server.start()
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as folder:
        work = Path(folder)
        (work / "seeds").mkdir()
        shutil.copy(SEED, work / "seeds" / SEED.name)
        env = {
            **os.environ,
            "BOT_TOKEN": server.token,
            "TELEGRAM_BASE_URL": server.base_url,
            "DATABASE_PATH": str(work / "bot.sqlite3"),
            "SEEDS_DIR": str(work / "seeds"),
            "LOG_LEVEL": "WARNING",
            "PUSH_RATE": "1000",
            "PAID_BROADCAST": "true",
            "FLOOD_LIMIT": "1000",
            "PYTHONPATH": str(REPO),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=work, env=env, stdin=subprocess.DEVNULL
        )
        try:
            await server.wait_until_polling(timeout=30)
            for n in range(users):
                language = "de" if n % 2 else "en"
                server.add_user(FIRST_USER + n, f"Reader {n}", language_code=language)
            await asyncio.sleep(0.5)  # start-up sends (setMyCommands) out of the way
            baseline = server.stats.sends_ok
            expected = users * per_user
            started = time.perf_counter()
            for round_ in range(per_user):
                for n in range(users):
                    server.send_text(FIRST_USER + n, COMMANDS[(n + round_) % len(COMMANDS)])
            poll_s = 0.02
            for _ in range(int(limit_s / poll_s)):
                if server.stats.sends_ok - baseline >= expected:
                    break
                await asyncio.sleep(poll_s)
            seconds = time.perf_counter() - started
            answered = server.stats.sends_ok - baseline
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
            await server.stop()
    return {
        "bench": "updates",
        "users": users,
        "updates": expected,
        "answered": answered,
        "latency_ms": latency_ms,
        "seconds": round(seconds, 2),
        "updates_per_s": round(answered / seconds, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench updates", description=__doc__)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--per-user", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--limit-s", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.users, args.per_user, args.latency_ms, args.limit_s))
    emit(result, as_json=args.json)
    if args.record:
        record_result(
            "Updates end to end",
            f"updates users={args.users} latency={args.latency_ms:g}ms",
            result,
            "Measured by `python -m bench updates` (bench/updates.py): `python -m bot` in its "
            "own process long-polls the fake Bot API on 127.0.0.1; all updates are queued at "
            "once and timed until each is answered.",
        )
    return 0 if result["answered"] == result["updates"] else 1
