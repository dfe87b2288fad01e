"""Inline SVG charts: accessible, escaped, scaled."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from portal.services.charts import Series, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def chart(**changes):
    args = {
        "series": [Series("All <crime>", [3, 5, 8]), Series("Theft & more", [1, None, 2])],
        "labels": ["Jan 2025", "Feb 2025", "Mar 2025"],
        "chart_id": "c1",
        "title": "Crime by month",
        "description": "Went from 3 to 8.",
    }
    return str(line_chart(**{**args, **changes}))


def test_the_chart_is_an_image_with_a_title_and_description():
    svg = chart()
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Crime by month"
    assert root.find(f"{SVG}desc").text == "Went from 3 to 8."
    assert "All &lt;crime&gt;" in svg and "Theft &amp; more" in svg and "<crime>" not in svg


def test_lines_points_gaps_and_axis():
    svg = chart()
    assert svg.count("<polyline") == 1  # the second series is broken by its gap into two single points
    assert svg.count("<circle") == 2
    assert 'stroke-dasharray="6 3"' in svg  # a dash pattern, not colour alone
    labels = re.findall(r'text-anchor="end">([^<]+)<', svg)
    assert labels[-1] == "10"  # 8 rounds up to a nice 10


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0, 1, 3, 8, 11, 240, 2600)] == [1, 1, 5, 10, 20, 250, 5000]


def test_empty_and_single_month():
    ET.fromstring(chart(series=[Series("All crime", [])], labels=[]))
    ET.fromstring(chart(series=[Series("All crime", [4])], labels=["Jan 2025"]))
