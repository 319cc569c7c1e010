"""Shared test set-up."""

from __future__ import annotations

import inspect
import os
import types

import pytest
from hypothesis import HealthCheck, settings

# PTB 22 warns when it builds RetryAfter unless the timedelta behaviour is chosen; the
# bot opts in at start too (bot/__init__.py), so tests run the way production does.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# The store and fake-server fixtures the delivery, subscription and limit tests share;
# a test module's own fixture of the same name takes precedence.
from tests.conftest_delivery import db, fake  # noqa: F401

# SQLite and PostgreSQL stores: BOTH_STORES modules run their store tests on each.
from tests.conftest_pg import (  # noqa: F401
    POSTGRES,
    pg_server,
    pytest_generate_tests,
    pytest_terminal_summary,
    store,
)

# Hypothesis profiles. "dev" (the default): fresh random examples each run, failures kept in
# .hypothesis for the next. "ci" (.ci/run sets HYPOTHESIS_PROFILE=ci): the same examples on
# every run, nothing kept between runs, so a red CI run is a change in the code, not a draw;
# the example counts each test sets stay as they are in both.
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# A ParseWorker of a test's own is a process too (the shared one the importer uses starts
# once per test process and is not counted).
_PROCESSES = frozenset({"subprocess", "running_bot", "start_bot_process", "ParseWorker"})
# The bot's serve() run in the test's loop (tests/served.py) polls the fake too.
_FAKE_SERVER = frozenset(
    {"inproc_bot", "FakeBotApi", "fake", "serve", "serving", "start_serving", "fake_api"}
)


def _names_used(code: types.CodeType) -> set[str]:
    names = set(code.co_names) | set(code.co_varnames)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def _uses(func: object, wanted: frozenset[str], module: dict[str, object], depth: int) -> bool:
    """Whether a function (or a helper of its module it calls) names one of `wanted`."""
    code = getattr(inspect.unwrap(func), "__code__", None)  # type: ignore[arg-type]
    if code is None:
        return False
    names = _names_used(code)
    if wanted & names:
        return True
    return depth > 0 and any(
        _uses(module[name], wanted, module, depth - 1)
        for name in names
        if name in module and inspect.isfunction(module[name])
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it runs, read from its code and its module's helpers and
    fixtures, so a new test is sorted without a list to keep: `e2e` starts processes (the
    bot, the import CLI), `integration` plays against the fake Bot API or a running
    Application, `property` is a hypothesis test,
    `postgres` runs on the PostgreSQL test server; `heavy` (set by hand) parses pages of
    megabytes. `make test` runs everything, `make
    test-fast` the rest (the unit tests)."""
    for item in items:
        module = vars(getattr(item, "module", None) or types.ModuleType("none"))
        fixtures = list(getattr(item, "fixturenames", ()))
        funcs = [getattr(item, "obj", None)] + [
            getattr(module[name], "__wrapped__", module[name])
            for name in fixtures
            if name in module
        ]
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("store") == POSTGRES
        if on_postgres or "pg_server" in fixtures:
            # A PostgreSQL server process of its own (started once per worker).
            item.add_marker(pytest.mark.postgres)
        test = item.obj if isinstance(item, pytest.Function) else None
        if getattr(test, "is_hypothesis_test", False):
            # Hundreds of examples each: seconds of CPU, run by make test, not on every save.
            item.add_marker(pytest.mark.property)
        if any(_uses(f, _PROCESSES, module, 2) for f in funcs):
            item.add_marker(pytest.mark.e2e)
        elif "fake" in fixtures or any(_uses(f, _FAKE_SERVER, module, 2) for f in funcs):
            item.add_marker(pytest.mark.integration)
    # Tests that start processes wait the longest (a restart, a fan-out at a low rate):
    # started first, the rest of the suite fills the workers around them instead of all
    # workers but one idling at the end while it runs.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)
