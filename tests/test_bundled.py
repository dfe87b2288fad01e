"""The real data the project ships, and the first-run loader."""

import gzip
import re
import subprocess

from portal import paths
from portal.bundled import bundles, pending

ATTRIBUTION = [
    "Contains National Statistics data © Crown copyright and database right.",
    "Contains OS data © Crown copyright and database right.",
    "Contains Royal Mail data © Royal Mail copyright and database right.",
    "Open Government Licence v3.0",
]


def test_bundled_files_are_in_the_project():
    for bundle in bundles():
        assert bundle.path is None or (bundle.path.is_relative_to(paths.ROOT) and bundle.path.exists()), (
            bundle.path
        )


def test_provenance_and_licence_are_kept_with_the_data():
    provenance = (paths.GEODATA / "PROVENANCE.md").read_text()
    for words in ATTRIBUTION:
        assert words in provenance
    for bundle in [b for b in bundles() if b.path]:
        folder = paths.GEODATA if bundle.path.is_relative_to(paths.GEODATA) else paths.CONTENT
        assert bundle.path.name in (folder / "PROVENANCE.md").read_text(), (
            f"{bundle.path.name}: no provenance"
        )
    assert (paths.GEODATA / "codepoint_open_licence.txt").exists()


def test_postcode_file_is_the_full_real_file():
    with gzip.open(paths.GEODATA / "london_postcodes_codepoint_2014.csv.gz", "rt") as handle:
        assert sum(1 for _ in handle) == 181_563 + 1


def test_nothing_is_pending_after_the_first_load(loaded_db):
    assert pending(loaded_db.engine) == []


FORBIDDEN = re.compile(r"\.\./" + "shared|/work/" + "shared")  # split so this file does not match itself


def test_nothing_reads_the_shared_folder():
    tracked = subprocess.run(
        ["git", "ls-files", "portal", "templates", "static", "tests", "Makefile", ".ci"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in tracked:
        path = paths.ROOT / name
        if path.suffix in {".py", ".html", ".js", ".css", ""} and path.is_file():
            assert not FORBIDDEN.search(path.read_text(errors="ignore")), name
