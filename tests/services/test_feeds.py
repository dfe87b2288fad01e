"""Atom feeds of team updates, parsed back with feedparser."""

from datetime import datetime

import feedparser

from portal.services.feeds import atom_feed, paragraphs, tag


def update(i: int, **extra) -> dict:
    return {
        "id": i,
        "team_id": "E05014058",
        "title": f"Update {i} <b>bold</b>",
        "body": f"First & {i}.\n\nSecond.",
        "results": None,
        "published_at": datetime(2026, 3, i, 10),
        "updated_at": datetime(2026, 3, i, 11),
        "url": f"/teams/E05014058/updates#update-{i}",
        **extra,
    }


def test_feed_round_trip():
    body = atom_feed(
        feed_id=tag("teams", "E05014058", "updates"),
        title="Chadwell Heath: updates",
        subtitle="News",
        self_url="/teams/E05014058/updates.atom",
        html_url="/teams/E05014058/updates",
        updates=[update(3, results="One arrest."), update(2), update(1, team_name="Chadwell Heath")],
    )
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Chadwell Heath: updates" and feed.feed.id.startswith("tag:")
    assert [e.id for e in feed.entries] == [tag("teams", "E05014058", "updates", i) for i in (3, 2, 1)]
    first = feed.entries[0]
    assert first.title == "Update 3 <b>bold</b>" and first.link == "/teams/E05014058/updates#update-3"
    assert "<p>First &amp; 3.</p><p>Second.</p>" in first.content[0].value
    assert "One arrest." in first.content[0].value
    assert feed.entries[2].title.startswith("Chadwell Heath: Update 1")
    assert first.published_parsed[:4] == (2026, 3, 3, 10) and feed.feed.updated_parsed[:4] == (2026, 3, 3, 11)


def test_empty_feed_is_valid():
    feed = feedparser.parse(
        atom_feed(feed_id=tag("x"), title="T", subtitle="S", self_url="/a.atom", html_url="/a", updates=[])
    )
    assert not feed.bozo and feed.entries == []


def test_paragraphs_escape():
    assert paragraphs("a <i>\nb\n\nc") == "<p>a &lt;i&gt;<br>b</p><p>c</p>"
