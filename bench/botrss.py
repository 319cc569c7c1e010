"""`python -m bench botrss --subscribers 1000000 --json`: memory of `python -m bot` in a big push.

Prepares a database with N subscribers (half of them English) and one posted item, then
starts `python -m bot` itself against the fake Bot API (bench/fakeapi/botapi.py) and samples
the process's resident memory (VmRSS, and the kernel's peak VmHWM) while it fans out, until
`--messages` pushes have arrived or `--seconds` have passed. The bot's whole start-up path
runs: settings, migrations, texts, seeds, polling, the engine with the bot's renderer and
store.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fanout import BENCH_POST, TOKEN, emit, fake_server, post_real, seed_real, server_stats
from bot.db.connection import Database

REPO = Path(__file__).resolve().parents[1]


def _memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in values:
                values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def prepare(path: Path, subscribers: int) -> None:
    db = await Database.open(path)
    try:
        story_id = await seed_real(db, subscribers)
        await post_real(db, story_id, BENCH_POST)
    finally:
        await db.close()


def run(subscribers: int, latency_ms: float, messages: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-botrss-") as folder:
        work = Path(folder)
        (work / "seeds").mkdir()
        db_path = work / "bot.sqlite3"
        started = time.perf_counter()
        asyncio.run(prepare(db_path, subscribers))
        prepare_s = time.perf_counter() - started
        with fake_server(latency_ms, max_seconds=seconds + 120) as url:
            env = {
                **os.environ,
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": f"{url}/bot",
                "DATABASE_PATH": str(db_path),
                "SEEDS_DIR": str(work / "seeds"),
                "PAID_BROADCAST": "true",
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(REPO),
            }
            env.pop("PUSH_RATE", None)
            bot = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            peak_rss = 0.0
            samples: list[tuple[int, float]] = []
            sent = 0
            deadline = time.monotonic() + seconds
            try:
                while time.monotonic() < deadline and bot.poll() is None:
                    time.sleep(1.0)
                    rss, _ = _memory_mb(bot.pid)
                    peak_rss = max(peak_rss, rss)
                    sent = int(server_stats(url)["sends_ok"])
                    samples.append((sent, round(rss, 1)))
                    if sent >= messages:
                        break
                hwm = _memory_mb(bot.pid)[1] if bot.poll() is None else 0.0
            finally:
                if bot.poll() is None:
                    bot.send_signal(signal.SIGTERM)
                try:
                    _, errors = bot.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    bot.kill()
                    _, errors = bot.communicate()
            stats = server_stats(url)
    every = max(1, len(samples) // 10)
    return {
        "bench": "botrss",
        "subscribers": subscribers,
        "latency_ms": latency_ms,
        "prepare_s": round(prepare_s, 1),
        "messages_sent": stats["sends_ok"],
        "duplicates": stats["duplicate_count"],
        "max_per_1s_window": stats["max_per_1s_window"],
        "peak_rss_mb": round(max(peak_rss, hwm), 1),
        "rss_by_messages_sent": samples[::every],
        "exit_code": bot.returncode,
        "stderr_tail": (errors or b"").decode(errors="replace").strip().splitlines()[-3:],
    }


def main(argv: list[str]) -> int:
    """Fan out to N subscribers inside `python -m bot` and report its peak memory."""
    parser = argparse.ArgumentParser(prog="python -m bench botrss")
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--messages", type=int, default=1_000_000, help="stop after this many")
    parser.add_argument("--seconds", type=float, default=300.0, help="stop after this long")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.subscribers, args.latency_ms, args.messages, args.seconds)
    emit(result, as_json=args.json, record=args.record, key=f"botrss n={args.subscribers}")
    return 0 if result["peak_rss_mb"] < 150 and result["duplicates"] == 0 else 1
