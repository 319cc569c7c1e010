"""Importer speed: parsing the seed, storing it, and the command line end to end.

    python -m bench import [--runs 300] [--stores 20] [--cli-runs 5] [--json] [--no-record]

- parse: decode_page + parse_story of the seed in this process, warm (after the imports and
  a few unmeasured runs): mean, p50, p99.
- import: StoryService.import_page of the seed into a fresh SQLite file each run (parse in
  the worker process and store in one transaction; opening and migrating the file is timed
  apart, so is the first parse that starts the worker: worker_start_ms): mean, p50, max.
  Goal: < 200 ms.
- cli: `python -m bot import seeds/ukraine-nato-liveblog.de.txt --dry-run --json` in a new
  process, wall time from spawn to exit, after one unmeasured run: min, median.
  Goal: < 1.5 s.
- big: decode_page + parse_story of a 2 MB page (the upload limit) built from the annotated
  outlet pages in tests/pages (whose posts repeat), and of "varied" pages of 0.5, 1 and
  2 MB whose every post differs, in a German and an English layout (bench/pages.py), to
  show the growth: seconds and seconds per MB of each. Goal: 2 MB < 1 s, per-MB figures
  alike (linear).

No network; every loop is bounded. The figures go to docs/benchmarks.md unless --no-record.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.pages import live_page_of_size
from bench.report import emit, percentile, record_goal, record_result
from bot.db.connection import Database
from bot.services.stories import StoryService
from bot.story import decode_page, parse_story
from bot.story.worker import SHARED_WORKER

ROOT = Path(__file__).resolve().parent.parent
SEED = Path("seeds") / "ukraine-nato-liveblog.de.txt"
IMPORT_GOAL_MS = 200.0
CLI_GOAL_S = 1.5
BIG_PAGE_BYTES = 2_000_000
BIG_GOAL_S = 1.0


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def time_parse(data: bytes, runs: int) -> list[float]:
    """Seconds per decode + parse of the page, after a few unmeasured runs."""
    for _ in range(5):
        parse_story(decode_page(data))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        parse_story(decode_page(data))
        samples.append(time.perf_counter() - started)
    return samples


async def time_worker_start(data: bytes) -> float:
    """Seconds of the first parse, which starts the parsing process (once per bot run)."""
    started = time.perf_counter()
    await SHARED_WORKER.parse(data, 2_000_000)
    return time.perf_counter() - started


async def time_store(data: bytes, runs: int) -> tuple[list[float], list[float]]:
    """(open + migrate seconds, import seconds) per run, each into a fresh database file.

    The parsing process is started beforehand (time_worker_start measures that).
    """
    opens, imports = [], []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        for n in range(runs):
            started = time.perf_counter()
            db = await Database.open(Path(folder) / f"run{n}.sqlite3")
            opens.append(time.perf_counter() - started)
            try:
                service = StoryService(db)
                started = time.perf_counter()
                outcome = await service.import_page(data, source_name=f"seeds/{SEED.name}")
                imports.append(time.perf_counter() - started)
                assert outcome.created and len(outcome.new_item_ids) == 1
            finally:
                await db.close()
    return opens, imports


def time_cli(runs: int) -> list[float]:
    """Wall seconds of the dry run in a new process, after one unmeasured run."""
    with tempfile.TemporaryDirectory(prefix="bench-import-cli-") as folder:
        env = dict(os.environ)
        env.update(PYTHONPATH=str(ROOT), DATABASE_PATH=str(Path(folder) / "bot.sqlite3"))
        command = [sys.executable, "-m", "bot", "import", str(SEED), "--dry-run", "--json"]
        samples = []
        for n in range(runs + 1):
            started = time.perf_counter()
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, timeout=60, check=False
            )
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"the dry run failed: {done.stderr.decode(errors='replace')}")
            if n == 0:
                json.loads(done.stdout)  # the output is the one JSON object it promises
            else:
                samples.append(elapsed)
    return samples


def big_page(size: int) -> bytes:
    """A live page of `size` bytes: the annotated outlet pages, one after the other."""
    pages = sorted((ROOT / "tests" / "pages").glob("*.json"))
    texts = [p.with_suffix(".txt").read_bytes() for p in pages]
    parts: list[bytes] = []
    total = 0
    while total < size:
        chunk = texts[len(parts) % len(texts)]
        parts.append(chunk)
        total += len(chunk) + 1
    return b"\n".join(parts)[:size]


SCALING_SIZES = (("512k", 512_000), ("1mb", 1_000_000), ("2mb", BIG_PAGE_BYTES))


def time_big(runs: int) -> dict[str, float]:
    """Seconds to parse pages of 0.5, 1 and 2 MB (best of `runs`), and per MB.

    `varied_de` and `varied_en`: pages whose every post differs, in two layouts
    (bench/pages.py), which no cache of repeated words or lines shortens, as a real long
    live blog; `parse_varied_2mb_s` is the slower of the two at 2 MB, and
    `parse_varied_growth` how much more a MB costs at 2 MB than at 0.5 MB (1.0: linear).
    The repeated page (the outlet pages one after the other) is timed at 2 MB.
    """
    figures: dict[str, float] = {}
    timings = [_timed_parse(big_page(BIG_PAGE_BYTES)) for _ in range(runs)]
    best = min(wall for wall, _ in timings)
    figures["parse_2mb_s"] = round(best, 3)
    figures["parse_2mb_cpu_s"] = round(min(cpu for _, cpu in timings), 3)
    figures["parse_2mb_s_per_mb"] = round(best / (BIG_PAGE_BYTES / 1_000_000), 3)
    growth = []
    for language in ("de", "en"):
        per_mb = {}
        for label, size in SCALING_SIZES:
            # A new seed per run: the caches of one run never hold the next page's posts.
            pages = [
                live_page_of_size(size, seed=run + 1, language=language) for run in range(runs)
            ]
            timings = [_timed_parse(data) for data in pages]
            best = min(wall for wall, _ in timings)
            key = f"parse_varied_{language}_{label}"
            figures[f"{key}_s"] = round(best, 3)
            figures[f"{key}_cpu_s"] = round(min(cpu for _, cpu in timings), 3)
            per_mb[label] = best / (len(pages[0]) / 1_000_000)
            figures[f"{key}_s_per_mb"] = round(per_mb[label], 3)
        growth.append(per_mb["2mb"] / per_mb["512k"])
    figures["parse_varied_2mb_s"] = max(
        figures["parse_varied_de_2mb_s"], figures["parse_varied_en_2mb_s"]
    )
    figures["parse_varied_growth"] = round(max(growth), 2)
    return figures


def _timed_parse(data: bytes) -> tuple[float, float]:
    """(wall, CPU) seconds of one decode + parse; CPU time is what a busy machine spares."""
    started, started_cpu = time.perf_counter(), time.process_time()
    parse_story(decode_page(data, max_bytes=BIG_PAGE_BYTES))
    return time.perf_counter() - started, time.process_time() - started_cpu


def measure(runs: int, stores: int, cli_runs: int, big_runs: int = 1) -> dict[str, Any]:
    data = (ROOT / SEED).read_bytes()
    parse = time_parse(data, runs)
    worker_start = asyncio.run(time_worker_start(data))
    opens, imports = asyncio.run(time_store(data, stores))
    cli = time_cli(cli_runs)
    return {
        "bench": "importer",
        "page_bytes": len(data),
        "parse_runs": len(parse),
        "parse_mean_ms": ms(statistics.fmean(parse)),
        "parse_p50_ms": ms(percentile(parse, 0.50)),
        "parse_p99_ms": ms(percentile(parse, 0.99)),
        "import_runs": len(imports),
        "import_mean_ms": ms(statistics.fmean(imports)),
        "import_p50_ms": ms(percentile(imports, 0.50)),
        "import_max_ms": ms(max(imports)),
        "open_migrate_p50_ms": ms(percentile(opens, 0.50)),
        "worker_start_ms": ms(worker_start),
        "cli_runs": len(cli),
        "cli_dry_run_min_s": round(min(cli), 3),
        "cli_dry_run_median_s": round(statistics.median(cli), 3),
        "big_page_bytes": BIG_PAGE_BYTES,
        **time_big(big_runs),
    }


BIG_GOAL_ROW = "a 2 MB page parses in < 1 s in process, linear in its size"


def _big_goal_figures(result: dict[str, Any]) -> str:
    """The goal row's "measured" cell: reached or not, with the CPU figures and the load."""
    reached = result["parse_2mb_s"] < BIG_GOAL_S and result["parse_varied_2mb_s"] < BIG_GOAL_S
    verdict = "reached" if reached else "**not reached**"
    return (
        f"{verdict}: {result['parse_varied_de_2mb_s']} s (German layout) / "
        f"{result['parse_varied_en_2mb_s']} s (English) wall when every post differs "
        f"(CPU {result['parse_varied_de_2mb_cpu_s']} / {result['parse_varied_en_2mb_cpu_s']} s), "
        f"{result['parse_2mb_s']} s for outlet pages repeated (CPU {result['parse_2mb_cpu_s']} s); "
        f"growth {result['parse_varied_growth']} (cost of a MB at 2 MB over that at 0.5 MB; "
        f"1.0 is linear); `python -m bench import`, load average {os.getloadavg()[0]:.1f}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import", description=__doc__)
    parser.add_argument("--runs", type=int, default=300, help="parse runs")
    parser.add_argument("--stores", type=int, default=20, help="imports into fresh databases")
    parser.add_argument("--cli-runs", type=int, default=5, help="dry runs in a new process")
    parser.add_argument("--big-runs", type=int, default=1, help="parses of the 2 MB page")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--record", action="store_true", help="(the default) write the docs")
    parser.add_argument("--no-record", action="store_true", help="leave docs/benchmarks.md")
    args = parser.parse_args(argv)
    for name in ("runs", "stores", "cli_runs", "big_runs"):
        if not 1 <= getattr(args, name) <= 10_000:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and 10000")
    result = measure(args.runs, args.stores, args.cli_runs, args.big_runs)
    emit(result, as_json=args.json)
    if not args.no_record:
        record_result(
            "Importer",
            f"importer {SEED.name}",
            result,
            "Measured by `python -m bench import` (bench/import_.py) on the seed page: "
            "parse (decode + parse_story, warm, in process), import (parse and store into a "
            "fresh SQLite file, migrations done beforehand) and the end-to-end "
            "`python -m bot import seeds/ukraine-nato-liveblog.de.txt --dry-run --json` in "
            f"a new process. Goals: import < {IMPORT_GOAL_MS:g} ms, dry run < {CLI_GOAL_S:g} s. "
            "parse_2mb_s: a 2 MB page built from tests/pages (the upload limit), in process. "
            "parse_varied_{de,en}_{512k,1mb,2mb}_s: pages whose every post differs, in two "
            "layouts (bench/pages.py), which no cache of repeated words or lines shortens; "
            "parse_varied_2mb_s the slower at 2 MB, parse_varied_growth the cost of a MB at "
            f"2 MB over that at 0.5 MB (1.0 is linear). Goal: < {BIG_GOAL_S:g} s, linear. "
            "worker_start_ms: the first parse, which starts the parsing process. Taken on "
            "a shared 2-core machine; wall times grow with its load (load average "
            f"{os.getloadavg()[0]:.1f} at the end of this run).",
        )
        record_goal(BIG_GOAL_ROW, _big_goal_figures(result))
    ok = (
        result["import_max_ms"] < IMPORT_GOAL_MS
        and result["cli_dry_run_median_s"] < CLI_GOAL_S
        and result["parse_2mb_s"] < BIG_GOAL_S
        and result["parse_varied_2mb_s"] < BIG_GOAL_S
    )
    return 0 if ok else 1
