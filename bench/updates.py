"""Updates per second end to end: many users at once against `python -m bot` on loopback.

    python -m bench updates [--mode polling|webhook] [--users 500] [--per-user 4]
                            [--latency-ms 0] [--json] [--record]

This process hosts the fake Bot API (bench/fakeapi/botapi.py); the bot runs as its own
process. In polling mode it long-polls the fake exactly as it polls Telegram; in webhook
mode this process posts each update to the bot's webhook listener with the secret header,
as Telegram does (up to 100 posts at once, Telegram's max_connections being 40-100). All
updates are queued at once and the clock runs until every one of them has been answered.
Latency is per update, from queueing (polling) or posting (webhook) to the bot's first
answer in that chat; a chat's answers are matched to its updates in order. PUSH_RATE is
raised to the paid ceiling so the figure is the bot's capacity; with the default 30/s the
reply budget, not the bot, is the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi
from bench.report import emit, percentile, record_result

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "ukraine-nato-liveblog.de.txt"
COMMANDS = ("/summary", "/people", "/ticker 3", "/quotes Rutte", "/search NATO")
FIRST_USER = 200_000


SECRET = "bench-webhook-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run(
    users: int, per_user: int, latency_ms: float, limit_s: float, mode: str = "polling"
) -> dict[str, Any]:
    """Queue users × per_user commands and time until all are answered."""
    server = FakeBotApi(token=DEFAULT_TOKEN, latency=latency_ms / 1000, record=False)
    await server.start()
    answered_at: dict[int, list[float]] = {}

    def on_message(event: str, message: Any) -> None:
        if event == "sent":
            answered_at.setdefault(message.chat_id, []).append(time.perf_counter())

    server.on_bot_message = on_message
    hook_port = _free_port()
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
        if mode == "webhook":
            env.update(
                WEBHOOK_URL="https://bot.example.org/bench/updates",
                WEBHOOK_SECRET=SECRET,
                WEBHOOK_LISTEN="127.0.0.1",
                WEBHOOK_PORT=str(hook_port),
            )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=work, env=env, stdin=subprocess.DEVNULL
        )
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        try:
            if mode == "webhook":
                for _ in range(600):
                    if server.webhook_url:
                        break
                    await asyncio.sleep(0.05)
                await _wait_listening(http, hook_port)
            else:
                await server.wait_until_polling(timeout=30)
            for n in range(users):
                language = "de" if n % 2 else "en"
                server.add_user(FIRST_USER + n, f"Reader {n}", language_code=language)
            await asyncio.sleep(0.5)  # start-up sends (setMyCommands) out of the way
            baseline = server.stats.sends_ok
            answered_at.clear()
            expected = users * per_user
            queued_at: dict[int, list[float]] = {}
            started = time.perf_counter()
            posts = []
            for round_ in range(per_user):
                for n in range(users):
                    update = server.send_text(
                        FIRST_USER + n, COMMANDS[(n + round_) % len(COMMANDS)]
                    )
                    if mode == "webhook":
                        posts.append(update)
                    else:
                        queued_at.setdefault(FIRST_USER + n, []).append(time.perf_counter())
            if mode == "webhook":
                url = f"http://127.0.0.1:{hook_port}/bench/updates"
                await asyncio.gather(*(_post(http, url, u, queued_at) for u in posts))
            poll_s = 0.02
            for _ in range(int(limit_s / poll_s)):
                if server.stats.sends_ok - baseline >= expected:
                    break
                await asyncio.sleep(poll_s)
            seconds = time.perf_counter() - started
            answered = server.stats.sends_ok - baseline
        finally:
            await http.close()
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
            await server.stop()
    latencies = []
    for chat, sends in queued_at.items():
        replies = sorted(answered_at.get(chat, []))
        latencies += [(r - q) * 1000 for q, r in zip(sorted(sends), replies, strict=False)]
    return {
        "bench": "updates",
        "mode": mode,
        "users": users,
        "updates": expected,
        "answered": answered,
        "latency_ms": latency_ms,
        "seconds": round(seconds, 2),
        "updates_per_s": round(answered / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


async def _wait_listening(http: aiohttp.ClientSession, port: int) -> None:
    for _ in range(600):
        try:
            async with http.get(f"http://127.0.0.1:{port}/"):
                return
        except aiohttp.ClientError:
            await asyncio.sleep(0.05)


async def _post(
    http: aiohttp.ClientSession, url: str, update: dict[str, Any], sent: dict[int, list[float]]
) -> None:
    chat = int(update["message"]["chat"]["id"])
    sent.setdefault(chat, []).append(time.perf_counter())
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with http.post(url, json=update, headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"webhook answered {response.status}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench updates", description=__doc__)
    parser.add_argument("--mode", choices=("polling", "webhook"), default="polling")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--per-user", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--limit-s", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    result = asyncio.run(
        run(args.users, args.per_user, args.latency_ms, args.limit_s, mode=args.mode)
    )
    emit(result, as_json=args.json)
    if args.record:
        record_result(
            "Updates end to end",
            f"updates {args.mode} users={args.users} latency={args.latency_ms:g}ms",
            result,
            "Measured by `python -m bench updates` (bench/updates.py): `python -m bot` in its "
            "own process long-polls the fake Bot API on 127.0.0.1 (polling), or receives each "
            "update as a POST to its webhook listener with the secret header (webhook); all "
            "updates are queued at once and timed until each is answered. Latency: queueing "
            "or posting to the first answer in that chat.",
        )
    return 0 if result["answered"] == result["updates"] else 1
