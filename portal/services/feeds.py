"""Atom feeds (RFC 4287) of team updates, with feedgen.

Entry and feed ids are tag: URIs (RFC 4151), stable and independent of the host name; links are
site-relative paths, as everywhere on the site (never built from the Host header).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html import escape
from typing import Any

import nh3
from feedgen.feed import FeedGenerator

from portal.services.text import ATTRIBUTES, TAGS, URL_SCHEMES, markdown, plain

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
TAG = "tag:neighbourhood-pledge-portal,2026:"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
BLOCK_END = re.compile(r"(</(?:p|ul|ol|li|blockquote|h3|h4|pre)>|<hr>)\n")  # inside <pre>, text is escaped
SUMMARY_LENGTH = 300  # characters of an entry's plain-text summary


def tag(*parts: str | int) -> str:
    return TAG + "/".join(str(p) for p in parts)


def _utc(value: datetime | str | None) -> datetime:
    if value is None:
        return EPOCH
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def paragraphs(text: str | None) -> str:
    """Plain text as HTML paragraphs (kept for callers with text that is not Markdown)."""
    parts = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + escape(p).replace("\n", "<br>") + "</p>" for p in parts)


def html_content(text: str | None) -> str:
    """Staff-written Markdown as the sanitised HTML the pages show, without the pages' GOV.UK classes
    (a feed reader has its own styles) or the line breaks between blocks: plain text gives the same
    `<p>…</p><p>…</p>` as `paragraphs`."""
    cleaned = nh3.clean(
        str(markdown(text)),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return BLOCK_END.sub(r"\1", cleaned)


def atom_feed(
    *,
    feed_id: str,
    title: str,
    subtitle: str,
    self_url: str,
    html_url: str,
    updates: Iterable[Mapping[str, Any]],
) -> bytes:
    """Updates are mappings with id, team_id, title, body, results, published_at, updated_at, url,
    and optionally team_name (borough feeds)."""
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=html_url, rel="alternate", type="text/html")
    feed.author({"name": "Metropolitan Police Service Safer Neighbourhood Teams"})
    feed.language("en-GB")
    items = list(updates)
    newest = max((_utc(u.get("updated_at") or u.get("published_at")) for u in items), default=EPOCH)
    feed.updated(newest)
    for update in reversed(items):  # feedgen prepends: add oldest first so the feed reads newest first
        entry = feed.add_entry()
        entry.id(tag("teams", update["team_id"], "updates", update["id"]))
        entry.title(
            f"{update['team_name']}: {update['title']}" if update.get("team_name") else update["title"]
        )
        entry.link(href=update["url"], rel="alternate", type="text/html")
        entry.published(_utc(update.get("published_at")))
        entry.updated(_utc(update.get("updated_at") or update.get("published_at")))
        content = html_content(update.get("body"))
        if update.get("results"):
            content += "<h2>Results</h2>" + html_content(update["results"])
        entry.content(content, type="html")
        if summary := plain(update.get("body"), SUMMARY_LENGTH):
            entry.summary(summary)
        entry.author({"name": update.get("team_name") or title})
    return feed.atom_str(pretty=True)
