"""Pages are parsed in a worker process: same result, same errors, and a dead worker is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.story import StoryError, decode_page, parse_story
from bot.story.worker import ParseWorker
from tests.seed_page import SEED


@pytest.fixture
def worker() -> ParseWorker:
    return ParseWorker()


async def test_the_worker_parses_as_the_importer_does(worker: ParseWorker) -> None:
    data = SEED.read_bytes()
    try:
        parsed = await worker.parse(data, 2_000_000)
    finally:
        worker.close()
    expected = parse_story(decode_page(data), now=None)
    assert parsed.title == expected.title
    assert parsed.quotes == expected.quotes
    assert [t.headline for t in parsed.ticker] == [t.headline for t in expected.ticker]


async def test_an_unusable_page_fails_with_its_reason(worker: ParseWorker) -> None:
    try:
        with pytest.raises(StoryError) as binary:
            await worker.parse(b"\x89PNG\r\n\x1a\n" + bytes(100), 2_000_000)
        with pytest.raises(StoryError) as large:
            await worker.parse(b"x" * 200, 100)
    finally:
        worker.close()
    assert binary.value.code == "binary"
    assert large.value.code == "too_large"


async def test_a_killed_worker_is_replaced(worker: ParseWorker) -> None:
    data = SEED.read_bytes()
    try:
        await worker.parse(data, 2_000_000)
        pool = worker._executor()
        for pid in list(pool._processes):  # the test reaches into the pool to kill it
            os.kill(pid, signal.SIGKILL)
        parsed = await worker.parse(data, 2_000_000)
    finally:
        worker.close()
    assert parsed.lead.startswith("Nach Ansicht der Ukraine")


async def test_the_worker_yields_the_cpu_to_the_bot(worker: ParseWorker) -> None:
    # On a busy machine a large page must not take CPU from replies and pushes.
    try:
        await worker.parse(SEED.read_bytes(), 2_000_000)
        niceness = worker._executor().submit(os.nice, 0).result(timeout=30)
    finally:
        worker.close()
    assert niceness > os.nice(0)


UNGUARDED_SCRIPT = """
import asyncio
from bot.story.worker import SHARED_WORKER
data = open({seed!r}, "rb").read()
story = asyncio.run(SHARED_WORKER.parse(data, 2_000_000))
print("parsed:", len(story.ticker))
"""


def test_a_script_without_a_main_guard_parses_once_and_exits(tmp_path: Path) -> None:
    script = tmp_path / "import_page.py"
    script.write_text(UNGUARDED_SCRIPT.format(seed=str(SEED)), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, timeout=120, check=False
    )
    stderr = done.stderr.decode(errors="replace")
    assert done.returncode == 0, stderr
    assert "BrokenProcessPool" not in stderr
    # The worker did not run the script again: one import, one line.
    assert done.stdout.decode().splitlines() == ["parsed: 1"]


HOLDING_SCRIPT = """
import asyncio, os, sys
from bot.story.worker import SHARED_WORKER
data = open({seed!r}, "rb").read()
asyncio.run(SHARED_WORKER.parse(data, 2_000_000))
print(*SHARED_WORKER._executor()._processes, flush=True)
sys.stdin.read()  # held open until killed
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its entry waits to be reaped


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_worker_ends_when_the_bot_is_killed(tmp_path: Path) -> None:
    # kill -9 runs no shutdown: the worker must notice on its own that the bot is gone.
    script = tmp_path / "hold_worker.py"
    script.write_text(HOLDING_SCRIPT.format(seed=str(SEED)), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    with subprocess.Popen(
        [sys.executable, str(script)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as bot:
        try:
            assert bot.stdout is not None
            [worker_pid] = (int(pid) for pid in bot.stdout.readline().split())
            assert _alive(worker_pid)
        finally:
            bot.kill()
            bot.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _alive(worker_pid):
        assert time.monotonic() < deadline, "the worker outlived the killed bot"
        time.sleep(0.05)
