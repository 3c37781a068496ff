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


# --- a loopback DeepStateMap archive ---------------------------------------------------------

ARCHIVE = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "deepstate-archive"
#: The four days the fixture archive holds.
ARCHIVE_DATES = ("2024-07-08", "2025-06-30", "2025-12-15", "2026-06-30")


@dataclass
class Archive:
    """A loopback HTTP server of ``../shared/fixtures/deepstate-archive/`` (read-only).

    ``mode`` may be switched while it runs: ``"serve"`` (the files, 404 for the rest),
    ``"hang"`` (accept, then say nothing until stopped), ``"corrupt"`` (200 with a truncated
    file). ``requests`` lists the paths asked for.
    """

    url: str
    server: object
    mode: str = "serve"
    requests: list[str] | None = None

    def stop(self) -> None:
        import threading

        server = self.server
        self.mode = "stopped"
        release = getattr(server, "release", None)
        if isinstance(release, threading.Event):
            release.set()
        server.shutdown()  # type: ignore[attr-defined]
        server.server_close()  # type: ignore[attr-defined]


@pytest.fixture
def archive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Serve the fixture archive on 127.0.0.1 (a free port, in a thread) and point at it.

    Sets ``DEPLOYPLAN_DEEPSTATE_URL``, ``DEPLOYPLAN_TODAY`` (2026-07-02), a fresh
    ``DEPLOYPLAN_CACHE_DIR`` and a short ``DEPLOYPLAN_HTTP_TIMEOUT``. Skips only when
    ``../shared`` is absent and CI is not set.
    """
    import http.server
    import os
    import threading

    if not ARCHIVE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{ARCHIVE} is missing in CI")
        pytest.skip("../shared absent")
    state = Archive(url="", server=None, requests=[])
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            assert state.requests is not None
            state.requests.append(self.path)
            if state.mode == "hang":
                release.wait(30)
                return
            name = self.path.rsplit("/", 1)[-1]
            path = ARCHIVE / name
            if not self.path.startswith("/data/") or not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            if state.mode == "corrupt":
                body = body[: len(body) // 2]
            self.send_response(200)
            self.send_header("Content-Type", "application/geo+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.release = release  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.server = server
    state.url = f"http://127.0.0.1:{server.server_address[1]}/data/"
    monkeypatch.setenv("DEPLOYPLAN_DEEPSTATE_URL", state.url)
    monkeypatch.setenv("DEPLOYPLAN_TODAY", "2026-07-02")
    monkeypatch.setenv("DEPLOYPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DEPLOYPLAN_HTTP_TIMEOUT", "2")
    yield state
    if state.mode != "stopped":
        state.stop()
