"""`python -m bench naive`: PTB's default transport in a sequential send loop (the baseline)."""

from __future__ import annotations

from bench.fanout import naive_main


def main(argv: list[str]) -> int:
    """Run the naive baseline benchmark."""
    return naive_main(argv)
