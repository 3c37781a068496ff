"""KMZ and KML for Google Earth: one file, a layer a folder, named placemarks, styles, icons."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from deployplan.kml import DASH_KM, SPACE_KM, write_kml

K = "{http://www.opengis.net/kml/2.2}"
PLAN_LAYERS = [
    "units",
    "coverage",
    "gaps",
    "slots",
    "legs",
    "line",
    "points",
    "hubs",
    "oblasts",
    "occupied",
]
OPTION_1 = ("--option", "1", "--variant", "eur-plus")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def kmz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from deployplan.cli import main

    out = tmp_path_factory.mktemp("kmz") / "plan.kmz"  # --format kmz implied by the suffix
    assert main(["plan", *OPTION_1, "-o", str(out)]) == 0
    return out


def layer_documents(root: ET.Element) -> dict[str, ET.Element]:
    top = root.find(f"{K}Document")
    assert top is not None
    return {d.findtext(f"{K}name"): d for d in top.findall(f"{K}Document")}


def test_kmz_is_one_archive_with_doc_kml_icons_and_legend(kmz: Path) -> None:
    assert [p.name for p in kmz.parent.iterdir()] == ["plan.kmz"]
    with zipfile.ZipFile(kmz) as archive:
        names = archive.namelist()
        assert names[0] == "doc.kml"  # Google Earth reads the first .kml
        icons = [n for n in names if n.startswith("files/icons/")]
        # option 1 EUR+ is light battalions only: one symbol, its PNG inside
        assert icons == ["files/icons/10031000161211000000.png"]
        for name in [*icons, "files/legend.png"]:
            assert archive.read(name).startswith(PNG_MAGIC), name
        root = ET.fromstring(archive.read("doc.kml"))
    assert root.tag == f"{K}kml"
    hrefs = {e.text for e in root.iter(f"{K}href")}
    assert hrefs == {*icons, "files/legend.png"}  # every image referred to is inside
    assert root.find(f"{K}Document/{K}ScreenOverlay/{K}Icon/{K}href").text == "files/legend.png"


def test_every_layer_a_folder_every_placemark_named_and_styled(kmz: Path) -> None:
    with zipfile.ZipFile(kmz) as archive:
        root = ET.fromstring(archive.read("doc.kml"))
    documents = layer_documents(root)
    assert list(documents) == PLAN_LAYERS
    style_ids = {s.get("id") for s in root.iter(f"{K}Style")}
    for name, folder in documents.items():
        placemarks = folder.findall(f"{K}Placemark")
        assert placemarks, name
        for placemark in placemarks:
            assert placemark.findtext(f"{K}name"), name
            assert placemark.findtext(f"{K}styleUrl").lstrip("#") in style_ids, name
            assert placemark.findtext(f"{K}description").startswith("<table>"), name
        assert folder.findtext(f"{K}description"), name
    units = documents["units"].findall(f"{K}Placemark")
    assert [p.findtext(f"{K}name") for p in units] == [
        f"1-eur-plus-{i:02d}" for i in range(1, len(units) + 1)
    ]
    # translucent coverage: KML colours are aabbggrr
    coverage = root.find(f"{K}Document/{K}Style[@id='coverage']/{K}PolyStyle/{K}color").text
    assert 0 < int(coverage[:2], 16) < 255
    # the document's description: the plan's summary and every layer's provenance
    description = root.findtext(f"{K}Document/{K}description")
    assert "Option 1 EUR+" in description and "Provenance" in description
    assert "DeepStateMap" in description or "deepstate" in description.lower()


def test_legs_are_dashed_geodesically(kmz: Path) -> None:
    with zipfile.ZipFile(kmz) as archive:
        root = ET.fromstring(archive.read("doc.kml"))
    leg = layer_documents(root)["legs"].find(f"{K}Placemark")
    pieces = leg.findall(f"{K}MultiGeometry/{K}LineString")
    assert len(pieces) > 2
    lengths = []
    for piece in pieces:
        coords = np.array(
            [c.split(",") for c in piece.findtext(f"{K}coordinates").split()], dtype=float
        )
        lengths.append(GEOD.line_length(coords[:, 0], coords[:, 1]) / 1000.0)
    assert lengths[0] == pytest.approx(DASH_KM, rel=1e-3)  # pyproj, not our own measure
    assert max(lengths) <= DASH_KM * 1.001
    # the dashes' gaps: from the end of one dash to the start of the next
    first, second = (
        np.array(p.findtext(f"{K}coordinates").split()[i].split(","), dtype=float)
        for p, i in ((pieces[0], -1), (pieces[1], 0))
    )
    gap_km = GEOD.inv(first[0], first[1], second[0], second[1])[2] / 1000.0
    assert gap_km == pytest.approx(SPACE_KM, rel=0.02)


@pytest.mark.gdal
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs ogrinfo (Debian gdal-bin)")
def test_ogrinfo_reads_the_kmz_with_libkml_and_doc_kml_with_kml(kmz: Path) -> None:
    done = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(kmz)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "using driver `LIBKML'" in done.stdout, done.stderr
    for name in PLAN_LAYERS:
        assert f"Layer name: {name}" in done.stdout
    units = subprocess.run(
        ["ogrinfo", "-ro", "-q", str(kmz), "line"], capture_output=True, text=True, check=True
    ).stdout
    # Debian's GDAL 3.6: booleans written 1/0 come back as 1/0 (it reads 'true' as 0)
    flags = re.findall(r"is_main \(Integer\) = (\d)", units)
    assert flags[0] == "1" and set(flags[1:]) == {"0"}  # part 0 is the main one
    plain = subprocess.run(
        ["ogrinfo", "-ro", "--config", "GDAL_SKIP", "LIBKML", f"/vsizip/{kmz}/doc.kml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode == 0 and "using driver `KML'" in plain.stdout, plain.stderr
    for name in PLAN_LAYERS:
        assert f": {name}" in plain.stdout


def test_kmz_fields_typed_through_pyogrio(kmz: Path) -> None:
    units = pyogrio.read_dataframe(kmz, layer="units")
    assert units["sidc"].tolist() == ["10031000161211000000"] * len(units)  # text, not 1e19
    assert units["radius_km"].dtype == float and (units["radius_km"] == 25.0).all()
    line = pyogrio.read_dataframe(kmz, layer="line")
    assert line["is_main"].tolist().count(1) == 1


def test_single_kml_file_for_a_kml_path(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan.kml"
    result = run_cli("plan", *OPTION_1, "-o", out)
    assert result.code == 0, result.err
    assert [p.name for p in tmp.iterdir()] == ["plan.kml"]  # one file, not a directory
    root = ET.parse(out).getroot()
    assert list(layer_documents(root)) == PLAN_LAYERS
    assert not [e.text for e in root.iter(f"{K}href")]  # nothing it cannot carry
    names = [p.findtext(f"{K}name") for p in root.iter(f"{K}Placemark")]
    assert names and all(names)


def test_kml_directory_has_the_same_names_and_styles(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan"
    result = run_cli("plan", *OPTION_1, "--format", "kml", "-o", out)
    assert result.code == 0, result.err
    for name in PLAN_LAYERS:
        root = ET.parse(out / f"{name}.kml").getroot()
        assert list(layer_documents(root)) == [name]
        assert root.find(f"{K}Document/{K}Style") is not None
        assert all(p.findtext(f"{K}name") for p in root.iter(f"{K}Placemark"))
        assert (out / f"{name}.provenance.json").is_file()


def test_text_is_escaped_and_cleaned(tmp: Path) -> None:
    nasty = '<b>Kyiv</b> & ]]> \x01 "quoted"'
    points = gpd.GeoDataFrame(
        {"name": [nasty], "flag": [True]}, geometry=[Point(30.5, 50.4)], crs="EPSG:4326"
    )
    line = gpd.GeoDataFrame(
        {"name": ["l"]}, geometry=[LineString([(30, 48), (31, 48)])], crs="EPSG:4326"
    )
    out = tmp / "x.kmz"
    write_kml({"points": points, "line": line}, out, kmz=True, title=nasty, description=nasty)
    with zipfile.ZipFile(out) as archive:
        text = archive.read("doc.kml").decode("utf-8")
    root = ET.fromstring(text)  # well-formed
    placemark = root.find(f"{K}Document/{K}Document/{K}Placemark")
    assert placemark.findtext(f"{K}name") == nasty.replace("\x01", "")
    assert "<b>" not in text  # markup of the data stays text
    assert "&lt;b&gt;Kyiv" in text


def test_unwritable_kmz_leaves_nothing(run_cli: Callable, tmp: Path) -> None:
    result = run_cli("plan", *OPTION_1, "-o", tmp / "missing" / "plan.kmz")
    assert result.code == 2 and "does not exist" in result.err
    assert list(tmp.iterdir()) == []
