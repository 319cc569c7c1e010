"""Benchmarks: `python -m bench <name> [args]` runs `bench.<name>.main(argv)`.

Each benchmark prints one JSON object per run. `python -m bench all` runs the standard set
and records the figures in docs/benchmarks.md. Add a benchmark by adding a module with a
`main(argv: list[str]) -> int` function (and, if it belongs to the standard set, a line
in ALL below).
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

_REC = ["--json", "--record"]
_PAID_20K = ["--subscribers", "20000", "--rate", "1000", "--paid"]
# The standard set: (module, argv). Modules not present yet are skipped.
ALL: list[tuple[str, list[str]]] = [
    # Paid at three server latencies, free, the cap lifted (headroom), the stand-in renderer
    # (for comparison only), and ten items in a row (history must not slow the tenth).
    *[("fanout", ["--latency-ms", ms, *_PAID_20K, *_REC]) for ms in ("50", "100", "200")],
    ("fanout", ["--latency-ms", "50", "--subscribers", "600", "--rate", "30", *_REC]),
    ("fanout", ["--latency-ms", "50", *_PAID_20K, "--no-cap", *_REC]),
    ("fanout", ["--latency-ms", "50", *_PAID_20K, "--renderer", "stand-in", *_REC]),
    ("outbox", ["--items", "10", "--subscribers", "20000", *_REC]),
    ("naive", ["--latency-ms", "50", "--subscribers", "200", *_REC]),
    ("enqueue", ["--subscribers", "1000000", *_REC]),
    # Issue 11's scale: every command with a push to a million subscribers in progress.
    ("latency", ["--items", "100000", "--subscribers", "1000000", "--updates", "600", *_REC]),
    ("updates", _REC),
    ("updates", ["--mode", "webhook", *_REC]),
    ("import", []),
    # Issue 11: a 2 MB import while the paid fan-out runs and a reader types.
    ("import-under-load", _REC),
    ("follow", ["--sources", "200", "--interval", "30", *_REC]),
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def run(name: str, argv: list[str]) -> int:
    """Run one benchmark module's main()."""
    module_name = name.replace("-", "_")
    if not _NAME.match(module_name):
        print(f"unknown benchmark {name!r}", file=sys.stderr)
        return 2
    # "import" is a keyword: its module is bench/import_.py.
    if module_name == "import":
        module_name = "import_"
    try:
        module = importlib.import_module(f"bench.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bench.{module_name}":
            print(f"unknown benchmark {name!r}", file=sys.stderr)
            return 2
        raise
    return int(module.main(argv) or 0)


def run_all(extra: list[str]) -> int:
    """Run the standard set, skipping benchmarks that do not exist yet."""
    status = 0
    for name, argv in ALL:
        module_name = "import_" if name == "import" else name.replace("-", "_")
        try:
            importlib.import_module(f"bench.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{module_name}":
                continue
            raise
        # Each in its own process: peak RSS is per process and must not carry over.
        done = subprocess.run([sys.executable, "-m", "bench", name, *argv, *extra], check=False)
        status |= done.returncode
    return status


def main(argv: list[str]) -> int:
    """Dispatch `python -m bench <name> [args]`."""
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks:", ", ".join(sorted({n for n, _ in ALL})))
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name == "all":
        return run_all(rest)
    return run(name, rest)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
