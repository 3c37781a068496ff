"""PNG snapshots of a map page through headless Chromium (Playwright), for slides.

Playwright is the optional extra ``deployplan[png]``; the browser is the system's Chromium
(Debian ``chromium``), never one Playwright downloads. An offline page is opened with every
request outside the file refused, so the snapshot shows exactly what the file holds.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo.errors import DeployplanError, InputError
from layers.atomic import atomic_output

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PNG_SIZE",
    "chromium_path",
    "parse_size",
    "take_pictures",
    "write_png",
]

#: Where Debian installs Chromium (else ``chromium`` on the PATH is used).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_HOW_TO = "install it with `apt-get install chromium` and `pip install deployplan[png]`"


def chromium_path() -> str:
    """The Chromium executable to use, once Playwright is known to be installed too.

    Raises
    ------
    DeployplanError
        Without Chromium or Playwright, saying how to install them.
    """
    if importlib.util.find_spec("playwright") is None:
        raise DeployplanError(f"PNG snapshots need Playwright, which is not installed; {_HOW_TO}")
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    found = shutil.which("chromium")
    if found is None:
        raise DeployplanError(
            f"PNG snapshots need Chromium, not found at {CHROMIUM} nor on the PATH; {_HOW_TO}"
        )
    return found


#: Default picture size, CSS pixels (16:9, a full-HD slide).
PNG_SIZE = (1920, 1080)


def parse_size(text: str, *, flag: str = "--png-size") -> tuple[int, int]:
    """``"1920x1080"`` -> ``(1920, 1080)``; a one-line :class:`InputError` otherwise.

    Examples
    --------
    >>> parse_size("1280X720")
    (1280, 720)
    """
    parts = str(text).lower().replace("\u00d7", "x").split("x")
    try:
        width, height = (int(p.strip()) for p in parts)
    except ValueError:
        raise InputError(
            f"{flag} {text!r} is not WIDTHxHEIGHT in pixels; use e.g. {flag} 1920x1080"
        ) from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise InputError(
            f"{flag} {text!r} is outside 320x240 .. 7680x4320 pixels; use e.g. {flag} 1920x1080"
        )
    return width, height


def _launch(pw: Any, executable: str) -> Any:
    return pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))


def _open(browser: Any, source: Path, *, width: int, height: int, online: bool) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    if not online:
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:"))
                else route.abort()
            ),
        )
    page.goto(source.as_uri(), wait_until="networkidle" if online else "load")
    page.wait_for_function("() => window.deployplan && window.deployplan.data()")
    return page


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def take_pictures(
    html_path: str | os.PathLike[str],
    shots: Sequence[tuple[str | os.PathLike[str], int | None]],
    *,
    width: int = PNG_SIZE[0],
    height: int = PNG_SIZE[1],
    online: bool = False,
    slide: bool = True,
) -> list[Path]:
    """Pictures of one page through one headless Chromium: the page is opened once.

    Parameters
    ----------
    html_path : path
        The page (:func:`maps.write_briefing` or :func:`maps.write_map`).
    shots : sequence of (path, option)
        Where each PNG goes (written as given: the caller commits them) and which option
        (index into the page's plans) it shows alone; ``None`` takes the window as it is
        (put such shots first: slide mode, once on, stays on).
    width, height : int
        Window size in CSS pixels.
    online : bool
        Let the page load tiles and CDN assets; otherwise every request outside the file
        is refused.
    slide : bool
        Slide mode for the shots of an option: the map fills the window with its legend and
        scale only (no header, sections or other controls). Otherwise the window as a reader
        sees it.

    Returns
    -------
    list of Path
        The PNGs written.

    Raises
    ------
    DeployplanError
        Without Chromium or Playwright (the message says how to install them), or when
        Chromium fails.
    InputError
        If the page does not exist.
    """
    source = Path(html_path).resolve()
    if not source.is_file():
        raise InputError(f"cannot take a snapshot of '{html_path}': no such file")
    executable = chromium_path()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    written = []
    try:
        with sync_playwright() as pw:
            browser = _launch(pw, executable)
            try:
                page = _open(browser, source, width=width, height=height, online=online)
                for path, option in shots:
                    if slide and option is not None:
                        page.evaluate("(i) => deployplan.slide(i)", option)
                    elif option is not None:
                        page.evaluate("(i) => { deployplan.showOption(i); }", option)
                    page.screenshot(path=str(path))
                    written.append(Path(path))
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise DeployplanError(f"Chromium could not take the snapshot: {_first_line(exc)}") from None
    return written


def write_png(
    html_path: str | os.PathLike[str],
    png_path: str | os.PathLike[str],
    *,
    width: int = PNG_SIZE[0],
    height: int = PNG_SIZE[1],
    online: bool = False,
) -> Path:
    """Open a page in headless Chromium and save a screenshot of the window (atomically).

    Parameters
    ----------
    html_path : path
        The page (e.g. from :func:`maps.write_briefing`).
    png_path : path
        Where the PNG goes (written whole or not at all).
    width, height : int
        Window size in CSS pixels (default 1920 x 1080).
    online : bool
        Let the page load tiles and CDN assets; otherwise every request outside the file
        is refused.

    Returns
    -------
    Path
        The PNG written.

    Raises
    ------
    DeployplanError
        Without Chromium or Playwright (the message says how to install them).
    InputError
        If the page does not exist.
    """
    target = Path(png_path)
    with atomic_output(target) as tmp:
        take_pictures(
            html_path, [(tmp, None)], width=width, height=height, online=online, slide=False
        )
    return target
