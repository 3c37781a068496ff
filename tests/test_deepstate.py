"""``--deepstate DATE|latest`` and ``deployplan line``: snapshots fetched, cached, dated.

Every test serves ``../shared/fixtures/deepstate-archive/`` from a loopback HTTP server
(the ``archive`` fixture in conftest.py: 127.0.0.1, a free port, a thread) with
``DEPLOYPLAN_DEEPSTATE_URL`` pointing at it and ``DEPLOYPLAN_TODAY`` = 2026-07-02; never the
internet. Reference lengths come from ``--line-from-occupied`` on the same files and from
pyproj.Geod; reference hashes from hashlib on the fixture files.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pyogrio
import pyproj
import pytest
import shapely
from conftest import ARCHIVE

import layers.deepstate as deepstate
from geo.errors import DeployplanError
from layers import load_layers

GEOD = pyproj.Geod(ellps="WGS84")


def fixture_file(date: str) -> Path:
    return ARCHIVE / f"deepstatemap_data_{date.replace('-', '')}.geojson"


def geodesic_km(gdf) -> float:
    """Total geodesic length of a line layer, independently of the code (pyproj.Geod)."""
    return sum(GEOD.geometry_length(g) for g in gdf.geometry) / 1000.0


def cache_files(archive) -> list[str]:
    folder = Path(deepstate.cache_dir())
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def one_line_error(result) -> str:
    assert result.code == 2, result
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


# --- a date present, a date in a gap, latest --------------------------------------------------


def test_date_present_gives_the_derived_line_the_polygon_and_provenance(archive, run_cli, tmp):
    out = tmp / "layers.gpkg"
    result = run_cli("layers", "--deepstate", "2025-12-15", "-o", out)
    assert result.code == 0, result.err
    assert "dated 2025-12-15" in result.out
    line = pyogrio.read_dataframe(out, layer="line")
    reference = run_cli(
        "layers", "--line-from-occupied", fixture_file("2025-12-15"), "-o", tmp / "ref.gpkg"
    )
    assert reference.code == 0
    ref = pyogrio.read_dataframe(tmp / "ref.gpkg", layer="line")
    assert geodesic_km(line) == pytest.approx(geodesic_km(ref), rel=1e-6)
    assert 1150 < geodesic_km(line) < 1350  # the fixture README: about 1,250 km
    assert set(line["date"].astype(str)) == {"2025-12-15"}
    # provenance: sha256 of the file served, its URL, the retrieval time
    prov = pyogrio.read_dataframe(out, layer="provenance", read_geometry=False)
    row = prov[prov["layer"] == "line"].iloc[0]
    sha = hashlib.sha256(fixture_file("2025-12-15").read_bytes()).hexdigest()
    text = " ".join(str(v) for v in row.to_dict().values())
    assert sha in text and archive.url in text and "downloaded from" in text
    assert archive.requests == ["/data/deepstatemap_data_20251215.geojson"]
    assert "deepstatemap_data_20251215.geojson" in cache_files(archive)


def test_the_polygon_is_the_occupied_layer(archive):
    layers = load_layers(deepstate="2025-06-30")
    assert layers.occupied is not None
    served = shapely.from_geojson(fixture_file("2025-06-30").read_text())
    polygon = shapely.union_all(shapely.get_parts(served).tolist())
    got = shapely.union_all(layers.occupied.geometry.to_numpy())
    assert shapely.equals_exact(shapely.normalize(got), shapely.normalize(polygon), 1e-9) or (
        shapely.symmetric_difference(got, polygon).area < 1e-9
    )
    assert layers.line_date == "2025-06-30"
    assert layers.occupied["date"].tolist() == ["2025-06-30"]


def test_a_date_in_a_gap_falls_back_to_the_nearest_earlier_and_says_so(archive, run_cli, tmp):
    result = run_cli("layers", "--deepstate", "2025-12-20", "-o", tmp / "l.gpkg")
    assert result.code == 0, result.err
    assert "dated 2025-12-15" in result.out
    notes = [line for line in result.out.splitlines() if "2025-12-20" in line]
    assert len(notes) == 1 and "2025-12-15" in notes[0]
    # probed 20, 19, 18, 17, 16 then found 15
    assert [r[-13:-8] for r in archive.requests] == ["51220", "51219", "51218", "51217", "51216",
                                                    "51215"]  # fmt: skip


def test_no_file_within_seven_days_is_one_line_error(archive, run_cli, tmp):
    result = run_cli("layers", "--deepstate", "2025-12-23", "-o", tmp / "l.gpkg")
    message = one_line_error(result)
    assert "2025-12-16 to 2025-12-23" in message
    assert len(archive.requests) == 8
    assert not (tmp / "l.gpkg").exists()


def test_latest_is_the_newest_within_sixty_days(archive, run_cli, tmp):
    result = run_cli("plan", "--option", "1", "--variant", "eur-plus", "--deepstate", "latest",
                     "-o", tmp / "p.gpkg")  # fmt: skip
    assert result.code == 0, result.err
    assert "line of 2026-06-30" in result.out  # DEPLOYPLAN_TODAY is 2026-07-02
    assert [r[-13:-8] for r in archive.requests] == ["60702", "60701", "60630"]
    assert "days old" not in result.out


def test_latest_with_nothing_in_sixty_days(archive, run_cli, tmp, monkeypatch):
    monkeypatch.setenv("DEPLOYPLAN_TODAY", "2026-10-01")  # 93 days after the last fixture
    result = run_cli("layers", "--deepstate", "latest", "-o", tmp / "l.gpkg")
    message = one_line_error(result)
    assert "2026-08-02 to 2026-10-01" in message
    assert len(archive.requests) == 61


def test_latest_stops_probing_when_its_time_budget_runs_out(archive, monkeypatch):
    monkeypatch.setenv("DEPLOYPLAN_TODAY", "2026-10-01")
    monkeypatch.setenv("DEPLOYPLAN_LATEST_BUDGET", "0.000001")
    with pytest.raises(DeployplanError, match="ran out"):
        deepstate.resolve_snapshot("latest")
    assert len(archive.requests) <= 1


# --- the cache --------------------------------------------------------------------------------


def test_cache_hit_with_the_server_stopped(archive, run_cli, tmp):
    fetched = run_cli("line", "fetch", "2025-12-15", "2026-06-30")
    assert fetched.code == 0, fetched.err
    assert fetched.out.count("fetched") == 2
    archive.stop()
    # the date cached: used as it is, no note
    result = run_cli("layers", "--deepstate", "2025-12-15", "-o", tmp / "a.gpkg")
    assert result.code == 0, result.err
    assert "dated 2025-12-15" in result.out and "note:" not in result.out + result.err
    # a date not cached: the server does not answer, the cached earlier one is used, one note
    result = run_cli("layers", "--deepstate", "2025-12-17", "-o", tmp / "b.gpkg")
    assert result.code == 0, result.err
    assert "dated 2025-12-15" in result.out
    notes = [line for line in result.out.splitlines() if "note:" in line]
    assert len(notes) == 1 and "offline" in notes[0] and "2025-12-15" in notes[0]
    # latest, offline: the newest cached within 60 days
    result = run_cli("layers", "--deepstate", "latest", "-o", tmp / "c.gpkg")
    assert result.code == 0, result.err
    assert "dated 2026-06-30" in result.out and "offline" in result.out
    # nothing cached for the date: one line naming the cached dates and how to fetch
    result = run_cli("layers", "--deepstate", "2025-06-30", "-o", tmp / "d.gpkg")
    message = one_line_error(result)
    assert "2025-12-15, 2026-06-30" in message
    assert "deployplan line fetch 2025-06-30" in message
    assert not (tmp / "d.gpkg").exists()


def test_line_list_shows_the_cache_and_makes_no_request(archive, run_cli):
    empty = run_cli("line", "list")
    assert empty.code == 0 and "no DeepStateMap snapshots cached" in empty.out
    assert "deployplan line fetch" in empty.out
    assert run_cli("line", "fetch", "2025-06-30").code == 0
    before = len(archive.requests)
    listed = run_cli("line", "list")
    assert listed.code == 0
    assert "2025-06-30" in listed.out and f"{fixture_file('2025-06-30').stat().st_size:,}" in (
        listed.out
    )
    assert len(archive.requests) == before


def test_a_second_run_uses_the_cache_without_a_request(archive, run_cli, tmp):
    assert run_cli("line", "fetch", "2025-06-30").code == 0
    again = run_cli("line", "fetch", "2025-06-30")
    assert again.code == 0 and "cached already" in again.out
    assert len(archive.requests) == 1


def test_a_cached_file_that_no_longer_matches_its_sha256_is_fetched_again(archive):
    first = deepstate.resolve_snapshot("2025-06-30")
    first.cached.path.write_bytes(b'{"type": "FeatureCollection", "features": []}')
    again = deepstate.resolve_snapshot("2025-06-30")
    assert not again.from_cache and len(archive.requests) == 2
    served = fixture_file("2025-06-30").read_bytes()
    assert again.cached.sha256 == hashlib.sha256(served).hexdigest()


def test_the_cache_record_holds_sha256_url_and_retrieval_time(archive):
    snap = deepstate.resolve_snapshot("2024-07-08")
    record = json.loads(snap.cached.path.with_suffix(".json").read_text())
    assert record["sha256"] == hashlib.sha256(fixture_file("2024-07-08").read_bytes()).hexdigest()
    assert record["url"] == archive.url + "deepstatemap_data_20240708.geojson"
    assert record["retrieved"].endswith("Z") and record["retrieved"][:4] >= "2024"
    prov = snap.provenance()
    assert prov.date == "2024-07-08" and prov.licence == "GPL-3.0" and prov.url == record["url"]
    assert record["sha256"] in prov.derivation and record["retrieved"] in prov.derivation


def test_cache_folder_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("DEPLOYPLAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert deepstate.cache_dir() == tmp_path / "xdg" / "deployplan" / "deepstate"
    monkeypatch.setenv("DEPLOYPLAN_CACHE_DIR", str(tmp_path / "mine"))
    assert deepstate.cache_dir() == tmp_path / "mine"


# --- what never enters the cache --------------------------------------------------------------


def test_a_corrupt_download_is_not_cached_and_is_one_line(archive, run_cli, tmp):
    archive.mode = "corrupt"
    result = run_cli("layers", "--deepstate", "2025-12-15", "-o", tmp / "l.gpkg")
    message = one_line_error(result)
    assert "not a DeepStateMap snapshot" in message and "nothing was cached" in message
    assert cache_files(archive) == []  # no file, no record, no temporary left
    assert not (tmp / "l.gpkg").exists()
    archive.mode = "serve"
    assert run_cli("layers", "--deepstate", "2025-12-15", "-o", tmp / "l.gpkg").code == 0


def test_a_download_larger_than_the_limit_is_refused(archive, monkeypatch):
    monkeypatch.setattr(deepstate, "MAX_BYTES", 10_000)
    with pytest.raises(deepstate.FetchError, match="MB"):
        deepstate.resolve_snapshot("2025-12-15")
    assert cache_files(archive) == []


def test_a_polygon_outside_ukraine_is_refused(archive, tmp_path, monkeypatch):
    # a folder served by the same server would need another fixture: point the base URL at
    # a file:// folder holding a polygon over Portugal under the archive's name instead
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "deepstatemap_data_20251215.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(shapely.box(-9.0, 38.0, -8.0, 39.0)),
                    }
                ],
            }
        )  # fmt: skip
    )
    with pytest.raises(deepstate.FetchError, match="not a DeepStateMap snapshot"):
        deepstate.resolve_snapshot("2025-12-15", url=folder.as_uri() + "/")
    assert cache_files(archive) == []


def test_a_server_that_hangs_times_out_with_one_line(archive, run_cli, tmp, monkeypatch):
    monkeypatch.setenv("DEPLOYPLAN_HTTP_TIMEOUT", "0.5")
    archive.mode = "hang"
    start = time.monotonic()
    result = run_cli("layers", "--deepstate", "2025-12-15", "-o", tmp / "l.gpkg")
    elapsed = time.monotonic() - start
    message = one_line_error(result)
    assert "did not answer" in message and "0.5 s" in message
    assert "deployplan line fetch 2025-12-15" in message
    # bounded: two attempts of 0.5 s and a pause, then the cache (empty) is consulted
    assert elapsed < 10
    assert len(archive.requests) == deepstate.ATTEMPTS
    assert cache_files(archive) == []


def test_a_bad_timeout_setting_is_one_line(archive, run_cli, tmp, monkeypatch):
    monkeypatch.setenv("DEPLOYPLAN_HTTP_TIMEOUT", "soon")
    message = one_line_error(run_cli("layers", "--deepstate", "2025-12-15", "-o", tmp / "l.gpkg"))
    assert "DEPLOYPLAN_HTTP_TIMEOUT" in message


# --- options, and no request unless asked -----------------------------------------------------


def test_commands_not_asked_to_fetch_make_no_request(archive, run_cli, tmp):
    assert run_cli("layers", "-o", tmp / "l.gpkg").code == 0
    assert run_cli("compare").code == 0
    assert run_cli("line", "list").code == 0
    assert archive.requests == []
    assert cache_files(archive) == []


def test_deepstate_is_exclusive_with_the_other_line_sources(archive, run_cli, tmp):
    both = run_cli("layers", "--deepstate", "latest", "--line-from-occupied",
                   fixture_file("2025-12-15"), "-o", tmp / "l.gpkg")  # fmt: skip
    assert both.code == 2 and "not allowed with" in both.err
    dated = run_cli("layers", "--deepstate", "latest", "--line-date", "2025-01-01",
                    "-o", tmp / "l.gpkg")  # fmt: skip
    assert "--line-date" in one_line_error(dated)
    bad = run_cli("layers", "--deepstate", "yesterday", "-o", tmp / "l.gpkg")
    assert "YYYY-MM-DD" in one_line_error(bad)
    future = run_cli("layers", "--deepstate", "2026-08-01", "-o", tmp / "l.gpkg")
    assert "after today" in one_line_error(future)
    assert archive.requests == []


def test_deepstate_url_option_wins_over_the_environment(archive, run_cli, tmp, monkeypatch):
    url = archive.url
    monkeypatch.setenv("DEPLOYPLAN_DEEPSTATE_URL", "http://127.0.0.1:9/nothing/")
    result = run_cli("layers", "--deepstate", "2025-06-30", "--deepstate-url", url,
                     "-o", tmp / "l.gpkg")  # fmt: skip
    assert result.code == 0, result.err
    assert len(archive.requests) == 1


def test_the_default_url_is_the_public_archive(monkeypatch):
    monkeypatch.delenv("DEPLOYPLAN_DEEPSTATE_URL", raising=False)
    assert deepstate.base_url() + deepstate.file_name(deepstate.parse_date("2025-12-15")) == (
        "https://raw.githubusercontent.com/cyterat/deepstate-map-data/main/data/"
        "deepstatemap_data_20251215.geojson"
    )


# --- the bundled line's age -------------------------------------------------------------------


def test_the_bundled_line_says_how_old_it_is(run_cli, tmp, monkeypatch):
    monkeypatch.setenv("DEPLOYPLAN_TODAY", "2026-07-02")
    result = run_cli("plan", "--option", "1", "--variant", "eur-plus", "-o", tmp / "p.gpkg")
    assert result.code == 0
    assert "line of 2025-12-15" in result.out
    assert "199 days old" in result.out and "--deepstate latest" in result.out  # 16+31+...+2
    monkeypatch.setenv("DEPLOYPLAN_TODAY", "2026-02-01")  # 48 days: not old yet
    result = run_cli("plan", "--option", "1", "--variant", "eur-plus", "-o", tmp / "q.gpkg")
    assert "days old" not in result.out
    monkeypatch.setenv("DEPLOYPLAN_TODAY", "2026-07-02")
    compare = run_cli("compare")
    assert "2025-12-15" in compare.out and "199 days old" in compare.err


def test_deepstate_on_compare_and_sweep(archive, run_cli, tmp):
    compare = run_cli("compare", "--deepstate", "2026-06-30", "--format", "csv")
    assert compare.code == 0, compare.err
    assert "2026-06-30" in compare.out and "days old" not in compare.out + compare.err
    sweep = run_cli("sweep", "--deepstate", "2026-06-30", "--spacing-km", "50", "--radius-km",
                    "25", "--rotation", "4", "--jobs", "1", "-o", tmp / "s.csv")  # fmt: skip
    assert sweep.code == 0, sweep.err
    assert "on the line of 2026-06-30" in sweep.out
    assert (tmp / "s.csv").read_text().splitlines()[1].endswith(",2026-06-30")
    assert len(archive.requests) == 1  # the second command found it in the cache
