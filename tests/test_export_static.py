"""`export-static DIR`: the public pages as files whose every link resolves.

One export of a loaded database per backend (one team with meetings and priorities, its borough and the
London-wide pages; `--only-team` keeps it to about 900 files), then every exported HTML file is parsed and
every link followed on disk. The whole site is an estimated 225,000 files (every team's Pledge indicator
pages, meetings, CSV and JSON twins), about an hour on the shared test machine, so it is not exported
here.
"""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from portal.services import export
from tests.conftest import run_portal

TEAM = "E05014090"  # 37 meetings, 6 priorities, 12 updates in the demo content
ORIGIN = "https://portal.example"
URL_ATTRIBUTES = {"href", "src", "action", "poster", "data-find-url", "data-wards-url"}
# what may stay on the dynamic app: forms, search, lookups, contact forms, staff; and in a one-team export
# the other teams and boroughs (not exported), and links with a query string
DYNAMIC = re.compile(r"^/(search|find|contact/(?!figures)|staff|opensearch\.xml|teams/E05|boroughs/E09|api/)")


class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is not None and (
                name in URL_ATTRIBUTES or (name.startswith("data-") and name.endswith("url"))
            ):
                self.links.append((tag, name, value))


@pytest.fixture(scope="module")
def exported(loaded_db, tmp_path_factory) -> tuple[Path, export.ExportReport]:
    out = tmp_path_factory.mktemp("export") / "site"
    report = export.export_static(loaded_db.settings(), out, dynamic_origin=ORIGIN, only_team=TEAM)
    return out, report


def resolve(out: Path, from_file: Path, link: str) -> Path:
    parts = urlsplit(link)
    base = posixpath.dirname(from_file.relative_to(out).as_posix())
    target = posixpath.normpath(posixpath.join(base, parts.path)) if parts.path else from_file.name
    assert not target.startswith(".."), f"{link} in {from_file} leaves the export"
    path = out / target
    if parts.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path


def test_every_link_resolves(exported):
    out, report = exported
    pages = list(out.rglob("*.html"))
    assert len(pages) > 200, report.summary()
    checked = dynamic = 0
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attribute, value in parser.links:
            parts = urlsplit(value)
            if parts.scheme in ("mailto", "tel") or (parts.scheme and not value.startswith(ORIGIN)):
                continue  # elsewhere on the web
            if value.startswith(ORIGIN):
                site_path = value[len(ORIGIN) :]
                assert tag == "form" or parts.query or DYNAMIC.match(site_path), (
                    f"{page}: {value} goes to the dynamic app but is not a form, search or staff link"
                )
                dynamic += 1
                continue
            assert not value.startswith("/"), f"{page}: {value} is still site-relative"
            if value.startswith("#"):
                continue
            target = resolve(out, page, value)
            assert target.is_file(), f"{page.relative_to(out)}: {attribute}={value!r} → {target} is missing"
            checked += 1
    assert checked > 5000
    assert dynamic > 0
    # forms (the header search on every page) always go to the dynamic app
    home = (out / "index.html").read_text()
    assert f'action="{ORIGIN}/search"' in home


def test_the_pages_are_there_and_byte_identical_but_for_links(exported, client):
    out, _report = exported
    for path in [
        f"teams/{TEAM}/index.html",
        f"teams/{TEAM}.json",
        f"teams/{TEAM}/meetings/index.html",
        f"teams/{TEAM}/meetings.ics",
        f"teams/{TEAM}/priorities/index.html",
        f"teams/{TEAM}/updates.atom",
        f"teams/{TEAM}/crime/index.html",
        f"teams/{TEAM}/crime.csv",
        f"teams/{TEAM}/pledge/index.html",
        f"api/metropolitan/{TEAM}/index.json",
        "boroughs/index.html",
        "pledge/index.html",
        "crime/index.html",
        "about/data/index.html",
        "contact/figures/index.html",
        "static/css/portal.css",
    ]:
        assert (out / path).is_file(), path
    assert not (out / "staff").exists() and not (out / "search").exists()
    assert not list((out / "contact").glob("team*")), "contact forms stay on the dynamic app"
    for path, file in [(f"/teams/{TEAM}.json", f"teams/{TEAM}.json"), (f"/teams/{TEAM}/meetings.ics", None)]:
        live = client.get(path)
        assert live.status_code == 200
        assert (out / (file or path.lstrip("/"))).read_bytes() == live.content
    html = (out / f"teams/{TEAM}/index.html").read_text()
    live = client.get(f"/teams/{TEAM}", headers={"Accept": "text/html"}).text
    assert len(html) > 0.9 * len(live)
    assert 'href="crime/"' in html and 'href="../../static/css/portal.css"' in html


def test_json_calendars_and_feeds_parse(exported):
    out, _report = exported
    jsons = list(out.rglob("*.json")) + list(out.rglob("*.geojson"))
    assert len(jsons) > 100
    for path in jsons:
        json.loads(path.read_bytes())
    calendars = list(out.rglob("*.ics"))
    assert calendars
    for path in calendars:
        Calendar.from_ical(path.read_bytes())
    feeds = list(out.rglob("*.atom"))
    assert feeds
    for path in feeds:
        root = ET.fromstring(path.read_bytes())
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"


def test_summary_counts_what_was_written(exported):
    out, report = exported
    files = [p for p in out.rglob("*") if p.is_file() and p.name != ".portal-export"]
    assert report.pages == len(files)
    assert report.bytes == sum(p.stat().st_size for p in files)
    assert not report.failed, report.summary()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only-team", "E05999999"], "no team has that ward code"),
        (["--dynamic-origin", "portal.example"], "must start with http:// or https://"),
        (["--concurrency", "0"], "at least 1"),
        (["--teams", "-1"], "0 or more"),
    ],
)
def test_bad_options_exit_2_with_a_message(loaded_db, tmp_path, args, message):
    done = run_portal(loaded_db, "export-static", str(tmp_path / "out"), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_refuses_a_folder_that_is_not_an_export(loaded_db, tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    done = run_portal(loaded_db, "export-static", str(tmp_path))
    assert done.returncode == 2
    assert "is not empty" in done.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"
