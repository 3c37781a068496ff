"""Random names through every writer (hypothesis): every file written parses, nothing breaks out.

A scenario's name, its deployment's name and a user unit type's label are random text (markup,
CDATA ends, quotes, formula starts, pipes, tabs, any printable character). Each run writes a
KML, a KMZ with an offline map, a GeoJSON folder and a CSV folder; it ends with 0 or 2, never
a traceback. On success:

- every KML (plain and inside the KMZ) and every QML and SVG parses as XML, and the names
  read back from the KML's Placemarks are the names given;
- the HTML map has the same tags, in the same order, as the map of the same plan with plain
  names: no name opens or closes an element (a ``</script>`` in a name ends nothing);
- a CSV cell holding a name that starts with ``=``, ``+``, ``-``, ``@``, tab or CR holds it
  behind a ``'``;
- the GeoJSON files are JSON and the names read back as given.
"""

from __future__ import annotations

import csv
import html
import json
import tempfile
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

WRITERS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: a run is seconds
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KML = "{http://www.opengis.net/kml/2.2}"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

_hostile = st.sampled_from(
    ["]]>", "<", ">", "&", '"', "'", "</script>", "<i>", "</td>", "=", "+", "-", "@", "|", "\t"]
)
_name = st.lists(
    st.one_of(_hostile, st.characters(blacklist_categories=["Cs", "Cc"])),
    min_size=1,
    max_size=8,
).map("".join)


def _toml(text: str) -> str:
    return json.dumps(text)  # a TOML basic string is JSON's string syntax for these


def _scenario(name: str, deployment: str, label: str) -> str:
    return (
        f"name = {_toml(name)}\n"
        "[[deployment]]\n"
        f"name = {_toml(deployment)}\n"
        'unit = "recce"\n'
        "spacing_km = 250\n"
        "[units.recce]\n"
        f"label = {_toml(label)}\n"
        'echelon = "battalion"\n'
        "radius_km = 30\n"
        "standoff_km = 10\n"
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)


def _tags(html: Path) -> list[str]:
    parser = _Tags()
    parser.feed(html.read_text(encoding="utf-8"))
    parser.close()
    return parser.tags


def _write_all(run_cli: Callable[..., Any], folder: Path, scenario: str) -> list[Any]:
    (folder / "s.toml").write_text(scenario, encoding="utf-8")
    plan = ("plan", "--scenario", folder / "s.toml")
    return [
        run_cli(*plan, "-o", folder / "p.kml"),
        run_cli(*plan, "-o", folder / "p.kmz", "--map", folder / "p.html"),
        run_cli(*plan, "--format", "geojson", "-o", folder / "gj"),
        run_cli(*plan, "--format", "csv", "-o", folder / "csv"),
    ]


_PLAIN_TAGS: dict[str, list[str]] = {}


def _plain_tags(run_cli: Callable[..., Any]) -> list[str]:
    if "tags" not in _PLAIN_TAGS:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            results = _write_all(run_cli, folder, _scenario("Plain", "Screen", "Recce"))
            assert [r.code for r in results] == [0, 0, 0, 0], [r.err for r in results]
            _PLAIN_TAGS["tags"] = _tags(folder / "p.html")
    return _PLAIN_TAGS["tags"]


def _kml_descriptions(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{KML}description")]


def _description_tags(text: str) -> set[str]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return {tag.lstrip("/") for tag in parser.tags}


@WRITERS
@given(name=_name, deployment=_name, label=_name)
def test_random_names_through_every_writer(
    run_cli: Callable[..., Any], name: str, deployment: str, label: str
) -> None:
    plain = _plain_tags(run_cli)
    with tempfile.TemporaryDirectory() as tmpname:
        folder = Path(tmpname)
        results = _write_all(run_cli, folder, _scenario(name, deployment, label))
        for result in results:
            assert result.code in (0, 2), (result.code, result.err)
            assert "Traceback" not in result.err
        if any(r.code == 2 for r in results):
            # a name refused: the same one line every time, and nothing written by any run
            assert all(r.code == 2 for r in results), [r.err for r in results]
            for result in results:
                assert len(result.err.strip().splitlines()) == 1, result.err
            assert sorted(p.name for p in folder.iterdir()) == ["s.toml"]
            return

        kml = ET.parse(folder / "p.kml").getroot()
        with zipfile.ZipFile(folder / "p.kmz") as kmz:
            inner = ET.fromstring(kmz.read("doc.kml"))
        for root in (kml, inner):
            # the popups are HTML tables: a name adds no tag, and reads back as given
            descriptions = _kml_descriptions(root)
            assert any(deployment in html.unescape(d) for d in descriptions)
            for text in descriptions:
                allowed = {"table", "tr", "th", "td", "b", "br", "p", "a", "img", "h3", "h4"}
                assert _description_tags(text) <= allowed, text
        for path in [*folder.rglob("*.qml"), *folder.rglob("*.svg")]:
            ET.parse(path)  # well-formed
        assert _tags(folder / "p.html") == plain

        units = json.loads((folder / "gj" / "units.geojson").read_text(encoding="utf-8"))
        assert {f["properties"]["deployment"] for f in units["features"]} == {deployment}
        with (folder / "csv" / "units.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows
        for row in rows:
            cell = row["deployment"]
            if deployment.startswith(DANGEROUS):
                assert cell == "'" + deployment
            else:
                assert cell == deployment


def test_plain_names_make_a_map_with_tags(run_cli: Callable[..., Any]) -> None:
    """The reference the fuzz test compares with: a real map, with its script and markers."""
    tags = _plain_tags(run_cli)
    assert tags.count("script") >= 1 and "/html" in tags
    with pytest.raises(ET.ParseError):  # and the XML check can fail
        ET.fromstring("<kml><name><![CDATA[a]]>]]></name></kml>x")
