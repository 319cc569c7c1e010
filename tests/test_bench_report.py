"""Benchmark figures recorded into docs/benchmarks.md keep what was written around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import report

DOC = """# Benchmarks

| goal | measured |
|---|---|
| a goal | a figure |

## Command latency

Analysis written by hand: why the p99 is what it is.

- `latency old`: `{"p99_ms": 9}`
- `latency kept`: `{"p99_ms": 7}`

More analysis below the figures.

## Fan-out

- `fanout 50ms`: `{"messages_per_s": 990}`
"""


@pytest.fixture
def docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of DOC that the benchmarks record into."""
    path = tmp_path / "benchmarks.md"
    path.write_text(DOC, encoding="utf-8")
    monkeypatch.setattr(report, "DOCS", path)
    return path


def test_a_new_figure_replaces_its_own_line_and_keeps_the_analysis(docs: Path) -> None:
    report.record_result("Command latency", "latency old", {"p99_ms": 5}, "intro")
    report.record_result("Command latency", "latency new", {"p99_ms": 4}, "intro")
    text = docs.read_text(encoding="utf-8")
    assert "Analysis written by hand" in text and "More analysis below the figures." in text
    assert '- `latency old`: `{"p99_ms": 5}`' in text and '{"p99_ms": 9}' not in text
    assert text.index("latency kept") < text.index("latency new") < text.index("More analysis")
    assert '- `fanout 50ms`: `{"messages_per_s": 990}`' in text
    assert "| a goal | a figure |" in text


def test_a_figure_of_a_new_benchmark_gets_a_section_of_its_own(docs: Path) -> None:
    report.record_result("Import under load", "import 2MB", {"ratio": 0.98}, "What it measures.")
    text = docs.read_text(encoding="utf-8")
    assert text.startswith(DOC.rstrip("\n"))
    assert text.endswith(
        '## Import under load\n\nWhat it measures.\n\n- `import 2MB`: `{"ratio": 0.98}`\n'
    )
