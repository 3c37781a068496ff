"""DeepStateMap's occupied territory by date: fetched from the daily archive, cached, dated.

The public archive cyterat/deepstate-map-data (GPL-3.0) publishes DeepStateMap's
occupied-territory polygon once a day since 2024-07-08 as
``data/deepstatemap_data_<YYYYMMDD>.geojson``, with gaps of a day or two and no listing.
:func:`resolve_snapshot` finds the file for a date (or the nearest earlier one within
:data:`FALLBACK_DAYS`; ``"latest"`` probes back day by day within :data:`LATEST_DAYS` and a total
time budget), downloads it once into the cache and returns a :class:`Snapshot`.

Nothing here touches the network unless a function that fetches is called. Settings come
from the environment, each overridable by an argument:

``DEPLOYPLAN_DEEPSTATE_URL``
    Base URL of the archive's ``data/`` folder (default :data:`DEFAULT_URL`).
``DEPLOYPLAN_CACHE_DIR``
    The cache folder (default ``deepstate/`` in platformdirs' user cache directory for
    ``deployplan``, which honours ``XDG_CACHE_HOME``).
``DEPLOYPLAN_HTTP_TIMEOUT``
    Seconds one request may take to connect or to deliver the next bytes (default 20).
``DEPLOYPLAN_TODAY``
    ``YYYY-MM-DD``: today's date for ``latest`` and the age of the bundled line.

A download goes to a temporary file in the cache folder, at most :data:`MAX_BYTES`, is read
back as a polygon layer lying in Ukraine (:func:`layers.io.read_vector`) and only then renamed
into place, with a sidecar ``.json`` holding its sha256, source URL and retrieval time: a
corrupt or partial download never enters the cache. A cached file whose sha256 no longer
matches is ignored (and fetched again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from geo.errors import DeployplanError, InputError
from layers.io import read_vector
from layers.provenance import Provenance, attach

__all__ = [
    "ARCHIVE_START",
    "DEFAULT_URL",
    "FALLBACK_DAYS",
    "LATEST_BUDGET_S",
    "LATEST_DAYS",
    "MAX_BYTES",
    "CachedSnapshot",
    "FetchError",
    "NotInArchive",
    "Snapshot",
    "base_url",
    "cache_dir",
    "cached_snapshots",
    "file_name",
    "http_timeout",
    "parse_date",
    "resolve_snapshot",
    "today",
]

#: The archive's ``data/`` folder on GitHub's raw-content host.
DEFAULT_URL = "https://raw.githubusercontent.com/cyterat/deepstate-map-data/main/data/"
#: The archive's first day.
ARCHIVE_START = dt.date(2024, 7, 8)
#: A date the archive lacks falls back to the nearest earlier one at most this many days before.
FALLBACK_DAYS = 7
#: ``latest`` is the newest file at most this many days before today.
LATEST_DAYS = 60
#: Total seconds ``latest`` may spend probing the archive (``DEPLOYPLAN_LATEST_BUDGET``).
LATEST_BUDGET_S = 90.0
#: Largest download accepted, bytes (a day's file is about 80 kB).
MAX_BYTES = 20 * 1024 * 1024
#: Requests per file when the server fails or times out (404 is an answer, not retried).
ATTEMPTS = 2
DEFAULT_TIMEOUT_S = 20.0

_LICENCE = "GPL-3.0"
_SOURCE = "DeepStateMap (deepstatemap.live), daily archive cyterat/deepstate-map-data"
_NAME = re.compile(r"deepstatemap_data_(\d{8})\.geojson")
_USER_AGENT = "deployplan (https://github.com/cyterat/deepstate-map-data archive reader)"


class FetchError(DeployplanError):
    """A snapshot could not be fetched, or what arrived is not a usable polygon."""


class NotInArchive(FetchError):
    """The archive (reached) has no file in the window of dates asked for."""


class _Unreachable(Exception):
    """The server did not answer (timeout, refused, 5xx after retries)."""


@dataclass(frozen=True)
class CachedSnapshot:
    """One file of the cache: its date, path and the record written when it was fetched."""

    date: str
    path: Path
    sha256: str
    url: str
    retrieved: str
    size: int


@dataclass(frozen=True)
class Snapshot:
    """A day's occupied-territory polygon, as used: which date was asked, which was found.

    Attributes
    ----------
    requested : str
        What was asked: ``YYYY-MM-DD`` or ``"latest"``.
    cached : CachedSnapshot
        The file used (``cached.date`` is the snapshot's date).
    from_cache : bool
        True if no download was made for it.
    notes : tuple of str
        One-line notes for the user: a fallback to an earlier date, offline use of the cache.
    """

    requested: str
    cached: CachedSnapshot
    from_cache: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def date(self) -> str:
        """The snapshot's date, ``YYYY-MM-DD``."""
        return self.cached.date

    def provenance(self) -> Provenance:
        """Provenance of the polygon: source, date, licence, URL, sha256, retrieval time."""
        c = self.cached
        return Provenance(
            source=_SOURCE,
            date=c.date,
            licence=_LICENCE,
            derivation=(
                f"DeepStateMap occupied territory of {c.date}, downloaded from {c.url} on "
                f"{c.retrieved} (sha256 {c.sha256}, {c.size:,} bytes), read from the cache "
                f"{c.path}" + (f"; asked for {self.requested}" if self.requested != c.date else "")
            ),
            url=c.url,
        )

    def occupied(self) -> gpd.GeoDataFrame:
        """Return the polygon as the occupied layer (EPSG:4326), provenance attached."""
        gdf = read_vector(self.cached.path, kind="polygon", what="DeepStateMap snapshot")
        gdf = gdf[["geometry"]].copy()
        gdf.insert(0, "date", self.date)
        gdf.insert(0, "name", "occupied territory")
        return attach(gdf, self.provenance())


# --- settings -----------------------------------------------------------------------------


def base_url(url: str | None = None) -> str:
    """The archive's base URL: ``url``, else ``DEPLOYPLAN_DEEPSTATE_URL``, else the default.

    Always ends with ``/``.
    """
    url = url or os.environ.get("DEPLOYPLAN_DEEPSTATE_URL") or DEFAULT_URL
    if not re.match(r"^(https?|file)://", url):
        raise InputError(
            f"DeepStateMap archive URL '{url}' is not an http(s) URL; give e.g. {DEFAULT_URL}"
        )
    return url if url.endswith("/") else url + "/"


def cache_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: ``path``, else ``DEPLOYPLAN_CACHE_DIR``, else platformdirs' cache.

    Not created here.
    """
    if path is not None:
        return Path(path)
    env = os.environ.get("DEPLOYPLAN_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("deployplan", appauthor=False)) / "deepstate"


def http_timeout() -> float:
    """Seconds per request (``DEPLOYPLAN_HTTP_TIMEOUT``, default 20)."""
    return _env_seconds("DEPLOYPLAN_HTTP_TIMEOUT", DEFAULT_TIMEOUT_S)


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise InputError(f"{name}={raw!r} is not a number of seconds > 0; set e.g. {name}=20")
    return value


def today() -> dt.date:
    """Today's date, or ``DEPLOYPLAN_TODAY`` (``YYYY-MM-DD``) when set."""
    raw = os.environ.get("DEPLOYPLAN_TODAY")
    if raw:
        return parse_date(raw, what="DEPLOYPLAN_TODAY")
    return dt.date.today()


def parse_date(text: str, *, what: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD`` (or ``YYYYMMDD``), or raise InputError naming ``what``."""
    text = str(text).strip()
    try:
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InputError(f"{what} '{text}' is not a date; give it as YYYY-MM-DD, e.g. 2025-12-15")


def file_name(date: dt.date) -> str:
    """The archive's file name for ``date``."""
    return f"deepstatemap_data_{date:%Y%m%d}.geojson"


# --- the cache ----------------------------------------------------------------------------


def cached_snapshots(cache: str | os.PathLike[str] | None = None) -> list[CachedSnapshot]:
    """Every valid file in the cache, oldest first (files whose sha256 fails are left out)."""
    folder = cache_dir(cache)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("deepstatemap_data_*.geojson")):
        match = _NAME.fullmatch(path.name)
        if match is None:
            continue
        entry = _cache_entry(folder, dt.date(*_ymd(match.group(1))))
        if entry is not None:
            out.append(entry)
    return out


def _ymd(digits: str) -> tuple[int, int, int]:
    return int(digits[:4]), int(digits[4:6]), int(digits[6:])


def _cache_entry(folder: Path, date: dt.date) -> CachedSnapshot | None:
    """The cached file of ``date`` if present and its sha256 matches its record."""
    path = folder / file_name(date)
    record_path = path.with_suffix(".json")
    if not path.is_file() or not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        data = path.read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or hashlib.sha256(data).hexdigest() != record.get("sha256"):
        return None
    return CachedSnapshot(
        date=date.isoformat(),
        path=path,
        sha256=str(record["sha256"]),
        url=str(record.get("url", "")),
        retrieved=str(record.get("retrieved", "")),
        size=len(data),
    )


def _cached_list_text(folder: Path) -> str:
    dates = [c.date for c in cached_snapshots(folder)]
    if not dates:
        return f"nothing is cached in {folder}"
    shown = ", ".join(dates[-8:])
    more = f" and {len(dates) - 8} earlier" if len(dates) > 8 else ""
    return f"cached in {folder}: {shown}{more}"


# --- fetching -----------------------------------------------------------------------------


def _download(url: str, tmp: Path, *, timeout: float) -> bool:
    """Download ``url`` into ``tmp``; False on 404. Raises _Unreachable or FetchError."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > MAX_BYTES:
                raise FetchError(
                    f"{url} is {int(length):,} bytes, more than the {MAX_BYTES // 2**20} MB a "
                    "snapshot may have; check --deepstate-url"
                )
            size = 0
            with tmp.open("wb") as out:
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise FetchError(
                            f"{url} sent more than {MAX_BYTES // 2**20} MB, more than a snapshot "
                            "may have; check --deepstate-url (nothing was cached)"
                        )
                    out.write(chunk)
            if length is not None and length.isdigit() and size != int(length):
                raise _Unreachable(f"the download stopped after {size:,} of {length} bytes")
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            return False
        if exc.code >= 500 or exc.code == 429:
            raise _Unreachable(f"HTTP {exc.code} {exc.reason}") from None
        raise FetchError(
            f"{url} answered HTTP {exc.code} {exc.reason}; check --deepstate-url"
        ) from None
    except TimeoutError:
        raise _Unreachable(f"no answer within {timeout:g} s (DEPLOYPLAN_HTTP_TIMEOUT)") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _Unreachable(
                f"no answer within {timeout:g} s (DEPLOYPLAN_HTTP_TIMEOUT)"
            ) from None
        raise _Unreachable(str(getattr(reason, "strerror", None) or reason)) from None
    except (http.client.HTTPException, ConnectionError, OSError) as exc:
        raise _Unreachable(f"{type(exc).__name__}: {exc}") from None
    return True


def _fetch_into_cache(
    date: dt.date, *, url: str, folder: Path, timeout: float, deadline: float | None
) -> CachedSnapshot | None:
    """Download ``date`` into the cache, validated; None if the archive lacks it.

    Raises _Unreachable when the server cannot be reached after :data:`ATTEMPTS` tries, and
    FetchError when what arrived is not a snapshot.
    """
    source = url + file_name(date)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(
            f"cannot create the cache folder {folder}: {exc.strerror}; set DEPLOYPLAN_CACHE_DIR "
            "to a writable folder"
        ) from None
    last = ""
    for attempt in range(ATTEMPTS):
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise _Unreachable(last or "out of time")
        fd, name = tempfile.mkstemp(prefix=f".{file_name(date)}.", suffix=".part", dir=folder)
        os.close(fd)
        tmp = Path(name)
        try:
            if not _download(source, tmp, timeout=timeout if left is None else min(timeout, left)):
                return None
            retrieved = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            _validate(tmp, source)
            data = tmp.read_bytes()
            record = {
                "date": date.isoformat(),
                "url": source,
                "sha256": hashlib.sha256(data).hexdigest(),
                "retrieved": retrieved,
                "bytes": len(data),
            }
            target = folder / file_name(date)
            record_tmp = tmp.with_suffix(".json.part")
            record_tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, target)
            os.replace(record_tmp, target.with_suffix(".json"))
            return _cache_entry(folder, date)
        except _Unreachable as exc:
            last = str(exc)
            if attempt + 1 < ATTEMPTS:
                time.sleep(min(0.5 * (attempt + 1), max(0.0, (left or 1.0) / 4)))
        finally:
            for leftover in (tmp, tmp.with_suffix(".json.part")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
    raise _Unreachable(last)


def _validate(path: Path, source: str) -> None:
    """Raise FetchError unless ``path`` is a polygon layer lying in Ukraine."""
    try:
        read_vector(path, kind="polygon", what="download")
    except DeployplanError as exc:
        reason = " ".join(str(exc).split())
        reason = reason.replace(f"'{path.name}'", "").replace(str(path), "")
        raise FetchError(
            f"the download of {source} is not a DeepStateMap snapshot ({reason}); nothing was "
            "cached: check --deepstate-url / DEPLOYPLAN_DEEPSTATE_URL, or try again later"
        ) from None


def resolve_snapshot(
    when: str | dt.date,
    *,
    url: str | None = None,
    cache: str | os.PathLike[str] | None = None,
    offline: bool = False,
    on_probe: Callable[[dt.date], None] | None = None,
) -> Snapshot:
    """Find, fetch (once) and return the snapshot of a date, or of ``"latest"``.

    Parameters
    ----------
    when : str or datetime.date
        ``YYYY-MM-DD``: that day's file, else the nearest earlier one at most
        :data:`FALLBACK_DAYS` days before (a note says which). ``"latest"``: the newest file
        at most :data:`LATEST_DAYS` days before today (:func:`today`), probing back day by day
        within ``DEPLOYPLAN_LATEST_BUDGET`` seconds in all (default :data:`LATEST_BUDGET_S`).
    url : str, optional
        The archive's base URL (default :func:`base_url`).
    cache : path, optional
        The cache folder (default :func:`cache_dir`).
    offline : bool
        Use the cache only; make no request.
    on_probe : callable, optional
        Called with each date before it is requested (for progress).

    Returns
    -------
    Snapshot

    Raises
    ------
    InputError
        For a date that is not ``YYYY-MM-DD``, before the archive's start or after today.
    FetchError
        If the archive has no file in the window, what arrived is corrupt (it is not
        cached), or the server cannot be reached and nothing usable is cached: the message
        names the dates cached and how to fetch.
    """
    folder = cache_dir(cache)
    base = base_url(url)
    now = today()
    latest = isinstance(when, str) and when.strip().lower() == "latest"
    if latest:
        newest, days = now, LATEST_DAYS
        requested = "latest"
    else:
        newest = when if isinstance(when, dt.date) else parse_date(when, what="--deepstate")
        requested, days = newest.isoformat(), FALLBACK_DAYS
        if newest > now:
            raise InputError(
                f"--deepstate {requested} is after today ({now}); give a date up to today, or "
                "latest"
            )
        if newest < ARCHIVE_START:
            raise InputError(
                f"--deepstate {requested} is before the archive's first day "
                f"({ARCHIVE_START}); give a later date"
            )
    candidates = [newest - dt.timedelta(days=i) for i in range(days + 1)]
    candidates = [d for d in candidates if d >= ARCHIVE_START]
    timeout = http_timeout()
    deadline = (
        time.monotonic() + _env_seconds("DEPLOYPLAN_LATEST_BUDGET", LATEST_BUDGET_S)
        if latest
        else None
    )
    window = f"{candidates[-1]} to {candidates[0]}"

    def found(entry: CachedSnapshot, *, fetched: bool, unreachable: str) -> Snapshot:
        what = "latest" if latest else requested
        if unreachable and unreachable != "offline":
            note = f"offline ({unreachable}); using the cached snapshot of {entry.date}"
            if entry.date != requested:
                note += f", the newest cached for {what}"
            return Snapshot(requested, entry, from_cache=True, notes=(note,))
        if not latest and entry.date != requested:
            note = (
                f"the archive has no snapshot of {requested}; using {entry.date}, the nearest "
                "earlier one"
            )
            if unreachable == "offline":
                note = f"no cached snapshot of {requested}; using the cached {entry.date}"
            return Snapshot(requested, entry, from_cache=not fetched, notes=(note,))
        return Snapshot(requested, entry, from_cache=not fetched)

    unreachable = "" if not offline else "offline"
    for date in candidates:
        entry = _cache_entry(folder, date)
        if entry is not None:
            return found(entry, fetched=False, unreachable=unreachable)
        if unreachable:
            continue
        if deadline is not None and time.monotonic() >= deadline:
            unreachable = "the time allowed for probing (DEPLOYPLAN_LATEST_BUDGET) ran out"
            continue
        if on_probe is not None:
            on_probe(date)
        try:
            entry = _fetch_into_cache(
                date, url=base, folder=folder, timeout=timeout, deadline=deadline
            )
        except _Unreachable as exc:
            unreachable = f"{base} did not answer: {exc}"
            continue
        if entry is not None:
            return found(entry, fetched=True, unreachable="")
    if unreachable:
        # Offline: any cached snapshot in the window was taken above; say what is cached.
        raise FetchError(
            f"no DeepStateMap snapshot for {requested} ({window}): {unreachable}, and none is "
            f"cached for those dates ({_cached_list_text(folder)}); fetch one when online with "
            f"'deployplan line fetch {requested}', or give a cached date"
        )
    raise NotInArchive(
        f"the archive at {base} has no snapshot from {window}; give another date "
        f"(it starts on {ARCHIVE_START}) or check --deepstate-url"
    )
