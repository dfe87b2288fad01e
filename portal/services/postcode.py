"""UK postcode parsing. Pure functions: no data, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])$")
_AREA = re.compile(r"^[A-Z]{1,2}")


@dataclass(frozen=True)
class ParsedPostcode:
    kind: str  # "full", "sector" or "outcode"
    text: str  # normalised: "RM6 4AB", "RM6 4" or "RM6"
    outcode: str

    @property
    def area(self) -> str:
        match = _AREA.match(self.outcode)
        return match.group(0) if match else ""


def compact(text: str) -> str:
    """Upper case with every space removed: the form postcodes are keyed by."""
    return "".join(text.split()).upper()


def normalise(text: str) -> str | None:
    """The standard written form of a full postcode ("rm64ab" -> "RM6 4AB"), or None."""
    match = _FULL.match(compact(text))
    return f"{match.group(1)} {match.group(2)}" if match else None


def parse(text: str) -> ParsedPostcode | None:
    """A full postcode, a sector ("RM6 4") or an outcode ("RM6"), in any case and spacing; else None."""
    squashed = compact(text)
    if match := _FULL.match(squashed):
        return ParsedPostcode("full", f"{match.group(1)} {match.group(2)}", match.group(1))
    # A sector must be written with its space ("RM6 4"): "RM64" is read as an outcode.
    spaced = " ".join(text.split()).upper()
    if (match := _SECTOR.match(spaced)) and " " in spaced:
        return ParsedPostcode("sector", f"{match.group(1)} {match.group(2)}", match.group(1))
    if _OUTCODE.match(squashed):
        return ParsedPostcode("outcode", squashed, squashed)
    return None
