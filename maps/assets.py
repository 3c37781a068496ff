"""Leaflet and jQuery for a map that works with no network: read from the XStatic packages.

folium 0.20 links Leaflet 1.9.3, jQuery 3.7.1, Bootstrap, Font Awesome and Awesome Markers
from CDNs. An offline page inlines Leaflet from the installed ``xstatic-leaflet`` package
when the page is written, and jQuery from ``xstatic-jquery`` when the page's folium code
calls it (folium builds its popups with ``$(...)``; deployplan's own layers do not, so a
briefing does not carry jQuery's 88 KB for nothing). Bootstrap and Font Awesome are dropped:
unit symbols are SVG, not icon fonts. The images Leaflet's CSS refers to
(``images/layers.png`` ...) become ``data:`` URIs, so the layer control draws its icon and the
browser asks for nothing outside the file. Nothing third-party is copied into this repository.

Online pages link the same two libraries from the CDNs folium uses.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from geo.errors import DeployplanError

__all__ = [
    "ONLINE_CSS",
    "ONLINE_JS",
    "asset_versions",
    "static_text",
    "default_icon_js",
    "inline_assets_html",
    "uses_jquery",
    "jquery_js",
    "leaflet_css",
    "leaflet_js",
]

#: What online pages link (folium 0.20's own URLs for these two libraries).
ONLINE_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"),
    ("jquery", "https://code.jquery.com/jquery-3.7.1.min.js"),
)
ONLINE_CSS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"),
)

_JQUERY_CALL = re.compile(r"(?<![\w.$])(?:\$|jQuery)\s*\(")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=\S+\s*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")


def _package_dir(module: str, pip_name: str) -> tuple[Path, str]:
    try:
        pkg = __import__(f"xstatic.pkg.{module}", fromlist=["BASE_DIR", "VERSION"])
    except ImportError:
        raise DeployplanError(
            f"offline maps need the package {pip_name}, which is not installed; "
            f"run `pip install {pip_name}` or pass --online"
        ) from None
    return Path(pkg.BASE_DIR), str(pkg.VERSION)


def _read(module: str, pip_name: str, name: str) -> str:
    base, _ = _package_dir(module, pip_name)
    text = (base / name).read_text(encoding="utf-8")
    text = _SOURCE_MAP.sub("", text)  # a source map would be a request outside the file
    if "</script" in text.lower() or "</style" in text.lower():
        raise DeployplanError(f"{pip_name}'s {name} cannot be inlined: it contains a closing tag")
    return text.strip() + "\n"


@cache
def leaflet_js() -> str:
    """Leaflet's minified JavaScript from ``xstatic-leaflet``."""
    return _read("leaflet", "xstatic-leaflet", "leaflet.js")


@cache
def jquery_js() -> str:
    """jQuery's minified JavaScript from ``xstatic-jquery``."""
    return _read("jquery", "xstatic-jquery", "jquery.min.js")


def _png_data_uri(name: str) -> str:
    base, _ = _package_dir("leaflet", "xstatic-leaflet")
    return "data:image/png;base64," + base64.b64encode((base / name).read_bytes()).decode("ascii")


@cache
def leaflet_css() -> str:
    """Leaflet's CSS from ``xstatic-leaflet`` with its images as ``data:`` URIs."""
    css = _read("leaflet", "xstatic-leaflet", "leaflet.css")
    return _CSS_URL.sub(lambda match: f"url({_png_data_uri(match.group(1))})", css)


@cache
def default_icon_js() -> str:
    """Point Leaflet's default marker icon at ``data:`` URIs (it would guess a path from CSS)."""
    urls = {
        "iconUrl": _png_data_uri("images/marker-icon.png"),
        "iconRetinaUrl": _png_data_uri("images/marker-icon-2x.png"),
        "shadowUrl": _png_data_uri("images/marker-shadow.png"),
    }
    options = ",".join(f'{key}:"{url}"' for key, url in urls.items())
    return f'L.Icon.Default.imagePath="";L.Icon.Default.mergeOptions({{{options}}});'


def asset_versions() -> dict[str, str]:
    """The versions of the inlined libraries, for the provenance panel.

    Examples
    --------
    >>> asset_versions()["leaflet"]
    '1.9.3'
    """
    return {
        "leaflet": _package_dir("leaflet", "xstatic-leaflet")[1],
        "jquery": _package_dir("jquery", "xstatic-jquery")[1],
    }


@cache
def inline_assets_html(*, jquery: bool = True) -> str:
    """The ``<style>`` and ``<script>`` elements that replace folium's CDN links offline."""
    scripts = [leaflet_js() + default_icon_js(), *([jquery_js()] if jquery else [])]
    return f"<style>{leaflet_css()}</style>\n" + "".join(
        f"<script>{js}</script>\n" for js in scripts
    )


def uses_jquery(script: str) -> bool:
    """Whether JavaScript calls jQuery (``$(...)`` or ``jQuery(...)``).

    Examples
    --------
    >>> uses_jquery("var html = $(`<div>hi</div>`)[0];"), uses_jquery("L.map('m');")
    (True, False)
    """
    return _JQUERY_CALL.search(script) is not None


@cache
def static_text(name: str) -> str:
    """A file of deployplan's own runtime (``maps/static/``): ``deployplan.js``, ``.css``."""
    return (files("maps") / "static" / name).read_text(encoding="utf-8")
