"""``deployplan history``: the front over the fixture archive's four days, and its outputs.

The archive is served from 127.0.0.1 (the ``archive`` fixture in conftest.py). Reference
values: the line of ``--line-from-occupied`` on the same files measured with pyproj.Geod,
the polygon's area by pyproj.Geod, distances between synthetic lines by pyproj.Geod.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from conftest import ARCHIVE, ARCHIVE_DATES
from shapely.geometry import LineString

from geo.errors import InputError
from layers import Provenance, line_layer, load_layers
from layers.deepstate import resolve_snapshot
from planner.history import front_moved_km, history, history_dates

GEOD = pyproj.Geod(ellps="WGS84")


def fixture_file(date: str):
    return ARCHIVE / f"deepstatemap_data_{date.replace('-', '')}.geojson"


def test_history_over_the_four_fixture_dates(archive, run_cli, tmp, tmp_path):
    out = tmp / "history"
    result = run_cli("history", "--dates", *ARCHIVE_DATES, "--option", "1", "--variant",
                     "eur-plus", "--option", "3", "--variant", "eur-plus", "-o", out)  # fmt: skip
    assert result.code == 0, result.err
    table = pd.read_csv(out / "history.csv", dtype={"date": str})
    assert table["date"].tolist() == list(ARCHIVE_DATES)
    for column in ("date", "line_km", "main_line_km", "occupied_km2", "moved_mean_km",
                   "moved_max_km", "occupied_change_km2", "option1_eur-plus_units",
                   "option1_eur-plus_coverage", "option3_eur-plus_largest_gap_km"):  # fmt: skip
        assert column in table.columns
    for row in table.itertuples():
        # the reference: --line-from-occupied on the same file, measured with pyproj.Geod
        ref_out = tmp_path / f"ref-{row.date}.gpkg"
        ref = run_cli("layers", "--line-from-occupied", fixture_file(row.date), "-o", ref_out)
        assert ref.code == 0, ref.err
        line = pyogrio.read_dataframe(ref_out, layer="line")
        whole = sum(GEOD.geometry_length(g) for g in line.geometry) / 1000.0
        main = GEOD.geometry_length(line.geometry[line["part"] == 0].iloc[0]) / 1000.0
        assert row.line_km == pytest.approx(whole, rel=0.01)
        assert row.main_line_km == pytest.approx(main, rel=0.01)
        polygon = shapely.from_geojson(fixture_file(row.date).read_text())
        area = abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(
            shapely.union_all(shapely.get_parts(polygon).tolist())))[0]) / 1e6  # fmt: skip
        assert row.occupied_km2 == pytest.approx(area, rel=0.001)
        assert 90_000 < row.occupied_km2 < 130_000  # about a fifth of Ukraine's 603,550 km²
    changes = table["occupied_change_km2"].tolist()
    assert math.isnan(changes[0])
    assert changes[1:] == pytest.approx(table["occupied_km2"].diff().tolist()[1:], abs=1.0)
    assert math.isnan(table["moved_mean_km"][0]) and math.isnan(table["moved_max_km"][0])
    assert (table["moved_max_km"][1:] >= table["moved_mean_km"][1:]).all()
    assert (table["moved_mean_km"][1:] > 0).all()
    # the options as plan --line-from-occupied places them on the same day's line
    plan = run_cli("plan", "--option", "1", "--variant", "eur-plus", "--line-from-occupied",
                   fixture_file("2025-06-30"), "-o", tmp_path / "p.gpkg")  # fmt: skip
    units = int(pyogrio.read_info(tmp_path / "p.gpkg", layer="units")["features"])
    assert table["option1_eur-plus_units"][1] == units, plan.out
    assert 0 < table["option1_eur-plus_coverage"].min() <= table[
        "option3_eur-plus_coverage"].max() <= 1  # fmt: skip
    # the chart, both formats, and the manifest of the output directory
    assert (out / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "history.svg").read_text()[:200].lstrip().startswith("<?xml")
    manifest = json.loads((out / ".deployplan.json").read_text())
    assert "history.csv" in json.dumps(manifest)
    assert "4 DeepStateMap snapshots, 2024-07-08 to 2026-06-30" in result.out


def test_from_to_latest_every_month_skips_the_missing_dates(archive, run_cli, tmp):
    result = run_cli("history", "--from", "2025-06-30", "--to", "latest", "-o", tmp / "h")
    assert result.code == 0, result.err
    table = pd.read_csv(tmp / "h" / "history.csv", dtype={"date": str})
    assert table["date"].tolist() == ["2025-06-30", "2026-06-30"]  # latest: 2026-06-30
    skipped = [line for line in result.out.splitlines() if "skipped" in line]
    assert len(skipped) == 11  # 2025-07-30 ... 2026-05-30: none within 7 days in the fixture


def test_weekly_and_monthly_dates():
    weekly = history_dates(dt.date(2025, 1, 1), dt.date(2025, 1, 20), "1w")
    assert [d.isoformat() for d in weekly] == ["2025-01-01", "2025-01-08", "2025-01-15",
                                               "2025-01-20"]  # fmt: skip
    monthly = history_dates(dt.date(2024, 1, 31), dt.date(2024, 3, 31))
    assert [d.isoformat() for d in monthly] == ["2024-01-31", "2024-02-29", "2024-03-31"]
    with pytest.raises(InputError, match="before"):
        history_dates(dt.date(2025, 2, 1), dt.date(2025, 1, 1))


def test_the_front_moved_by_a_known_distance():
    prov = Provenance(source="test", date="", licence="CC0", derivation="typed")
    # along the parallels, vertices 0.01 degrees apart (a geodesic between far vertices would
    # bow north of the parallel)
    old = line_layer([LineString([(35.0 + i / 100, 48.0) for i in range(201)])], provenance=prov)
    new = line_layer([LineString([(35.5 + i / 100, 48.1) for i in range(101)])], provenance=prov)
    mean, largest = front_moved_km(new, old)
    expected = GEOD.inv(36.0, 48.1, 36.0, 48.0)[2] / 1000.0  # about 11.1 km due south
    assert mean == pytest.approx(expected, rel=0.005)
    assert largest == pytest.approx(expected, rel=0.005)
    assert front_moved_km(old, old) == pytest.approx((0.0, 0.0), abs=1e-6)


def test_the_map_has_one_switchable_line_per_date_and_works_offline(archive, run_cli, tmp):
    result = run_cli("history", "--dates", "2025-06-30", "2025-12-15", "--map", "-o", tmp / "h")
    assert result.code == 0, result.err
    page = (tmp / "h" / "history.html").read_text()
    for date in ("2025-06-30", "2025-12-15"):
        assert f"Line of contact {date}" in page
    assert "L.control.layers" in page
    # nothing loaded from the network: no external script, style sheet, image or tiles
    assert not re.search(r"<(script|link|img)[^>]*(src|href)=[\"']https?:", page)
    assert not re.search(r"L\.tileLayer\(\s*[\"']http", page)
    assert "Line of contact, 2025-06-30 to 2025-12-15" in page


def test_the_same_rows_whatever_the_jobs(archive):
    snapshots = [resolve_snapshot(d) for d in ARCHIVE_DATES[1:]]
    one = history(snapshots, options=[(1, "eur-plus")], jobs=1).table
    two = history(snapshots, options=[(1, "eur-plus")], jobs=2).table
    pd.testing.assert_frame_equal(one, two)


def test_on_a_dask_cluster(archive):
    distributed = pytest.importorskip("distributed")
    snapshots = [resolve_snapshot(d) for d in ARCHIVE_DATES[2:]]
    local = history(snapshots, jobs=1).table
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
        protocol="tcp://",
    ) as cluster:  # fmt: skip
        remote = history(snapshots, dask=cluster.scheduler_address).table
    pd.testing.assert_frame_equal(local, remote)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        ([], "--from DATE --to"),
        (["--from", "2025-06-30"], "--from DATE --to"),
        (["--dates", "2025-06-30", "--from", "2025-01-01"], "not both"),
        (["--dates", "2025-06-30", "--option", "1"], "--variant"),
        (["--dates", "2025-06-30", "--option", "7", "--variant", "eur-plus"], "option"),
        (["--from", "2026-01-01", "--to", "2025-01-01"], "before"),
        (["--dates", "2025-08-20"], "none of the snapshots"),
        (["--dates", "2025-06-30", "--jobs", "0"], "--jobs"),
    ],
)
def test_bad_history_input_is_one_line_and_writes_nothing(archive, run_cli, tmp, argv, match):
    result = run_cli("history", *argv, "-o", tmp / "h")
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and match in lines[0], result.err
    assert not (tmp / "h").exists()


def test_without_matplotlib_the_message_names_the_extra(archive, run_cli, tmp, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    result = run_cli("history", "--dates", "2025-06-30", "-o", tmp / "h")
    assert result.code == 2 and "deployplan[history]" in result.err
    assert archive.requests == [] and not (tmp / "h").exists()


def test_a_deepstate_plan_states_the_snapshot_date(archive):
    layers = load_layers(deepstate="2024-07-10")
    assert layers.line_date == "2024-07-08"
    assert layers.notes and "2024-07-08" in layers.notes[0]
