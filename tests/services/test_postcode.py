import pytest

from portal.services.postcode import compact, normalise, parse


@pytest.mark.parametrize("text", ["rm6 4ab", "RM64AB", " Rm6  4AB ", "rm6\t4ab", "RM6 4AB"])
def test_any_case_and_spacing_normalises(text):
    assert normalise(text) == "RM6 4AB"
    assert parse(text).kind == "full"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("SW1A 2AA", "SW1A 2AA"), ("w1a1aa", "W1A 1AA"), ("EC2V7HH", "EC2V 7HH"), ("e1 6an", "E1 6AN")],
)
def test_every_postcode_shape(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "hello", "12345", "RM6 4A", "RM6 4ABC", "SW1A 2AA;DROP", "ＲＭ６"]
)
def test_not_a_postcode(text):
    assert normalise(text) is None


def test_outcode_and_sector_are_partial():
    outcode = parse(" rm6 ")
    assert (outcode.kind, outcode.text, outcode.outcode, outcode.area) == ("outcode", "RM6", "RM6", "RM")
    sector = parse("rm6 4")
    assert (sector.kind, sector.text, sector.outcode) == ("sector", "RM6 4", "RM6")


def test_outcode_without_space_is_not_read_as_sector():
    assert parse("RM64").kind == "outcode"


def test_compact():
    assert compact(" sw1a  2aa ") == "SW1A2AA"
