"""Shared fixtures: run the command line in-process, and a fresh output directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deployplan.cli import main


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (``CI`` set), a skipped test is a failed test.

    Tests that need Chromium, ``ogrinfo``, QGIS or ``../shared`` skip on a bare laptop; CI
    installs all of them, so a skip there means something is missing and must not pass
    unseen.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, where nothing may skip: {reason}"


@dataclass(frozen=True)
class CliResult:
    """What one run of ``deployplan`` did: exit status, standard output, standard error."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Return ``run(*argv)``: run ``deployplan.cli.main(argv)`` and capture what it printed.

    Arguments are turned into strings (paths welcome). argparse's own exits (bad options,
    ``--help``, ``--version``) are caught and give their status like any other run.
    """

    def run(*argv: object) -> CliResult:
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    """Return a fresh, empty directory for a test's outputs (``tmp_path / "out"``)."""
    out = tmp_path / "out"
    out.mkdir()
    return out
