"""Benchmark figures into docs/benchmarks.md: one section per benchmark, one line per run kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def record_result(section: str, key: str, result: dict[str, Any], intro: str) -> None:
    """Replace the line `key` in `## section` of docs/benchmarks.md (created as needed).

    Everything else in the section stays: the analysis written beside the figures is no
    result line, and rewriting the section from its result lines alone deleted it."""
    heading = f"## {section}"
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    line = f"- `{key}`: `{json.dumps(result, ensure_ascii=False)}`"
    head, sep, rest = text.partition(f"\n{heading}\n")
    if not sep:
        new_text = text.rstrip("\n") + f"\n\n{heading}\n\n{intro}\n\n{line}\n"
    else:
        body, nxt, tail = rest.partition("\n## ")
        lines = body.split("\n")
        mine = [n for n, ln in enumerate(lines) if ln.startswith(f"- `{key}`:")]
        if mine:
            lines[mine[0]] = line
            lines = [ln for n, ln in enumerate(lines) if n not in mine[1:]]
        else:
            results = [n for n, ln in enumerate(lines) if ln.startswith("- `")]
            if results:
                lines.insert(results[-1] + 1, line)
            else:
                while lines and not lines[-1].strip():
                    lines.pop()
                lines += ["", line, ""]
        new_text = head + f"\n{heading}\n" + "\n".join(lines) + (f"\n## {tail}" if nxt else "")
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(new_text, encoding="utf-8")


def record_goal(goal: str, measured: str) -> None:
    """Replace the "measured" cell of the row `goal` in the table at the top of the docs."""
    text = DOCS.read_text(encoding="utf-8")
    prefix = f"| {goal} |"
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.startswith(prefix):
            lines[number] = f"{prefix} {measured} |"
            DOCS.write_text("\n".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"docs/benchmarks.md has no goal row {goal!r}")


def emit(result: dict[str, Any], *, as_json: bool) -> None:
    """Print a result as one JSON object, or as readable lines."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    else:
        for name, value in result.items():
            print(f"{name:>24}: {value}", flush=True)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]
