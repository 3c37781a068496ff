"""PNG snapshots of a map page through headless Chromium (Playwright), for slides.

Playwright is the optional extra ``deployplan[png]``; the browser is the system's Chromium
(Debian ``chromium``), never one Playwright downloads. An offline page is opened with every
request outside the file refused, so the snapshot shows exactly what the file holds.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from geo.errors import DeployplanError, InputError
from layers.atomic import atomic_output

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium_path", "write_png"]

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


def write_png(
    html_path: str | os.PathLike[str],
    png_path: str | os.PathLike[str],
    *,
    width: int = 1600,
    height: int = 1000,
    online: bool = False,
) -> Path:
    """Open a page in headless Chromium and save a screenshot of the window.

    Parameters
    ----------
    html_path : path
        The page (e.g. from :func:`maps.write_briefing`).
    png_path : path
        Where the PNG goes (written atomically).
    width, height : int
        Window size in CSS pixels.
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
    source = Path(html_path).resolve()
    if not source.is_file():
        raise InputError(f"cannot take a snapshot of '{html_path}': no such file")
    executable = chromium_path()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    target = Path(png_path)
    with atomic_output(target) as tmp:
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
                try:
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
                    page.screenshot(path=str(tmp))
                finally:
                    browser.close()
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DeployplanError(f"Chromium could not take the snapshot: {first}") from None
    return target
