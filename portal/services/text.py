"""Staff write Markdown; the public sees sanitised HTML. Pure functions, no database.

Markdown is rendered by markdown-it-py (CommonMark, raw HTML off) and the result is cleaned by nh3 (the
Rust `ammonia` sanitiser) with a short allow-list, so scripts, event handlers, `style`, and `javascript:`
or `data:` links never reach a page, whatever was typed. Images are not rendered: a member photo is the
only image staff can add, through its own consent-checked upload.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4", "hr",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
# GOV.UK Frontend's typography on every element (set by the sanitiser: what was typed cannot add classes).
CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "blockquote": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
MAX_CACHED = 4096


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])
    # Headings are demoted below the page's own h1/h2: "# Title" renders as h3, "## Sub" as h4.
    md.add_render_rule("heading_open", _heading(open_tag=True))
    md.add_render_rule("heading_close", _heading(open_tag=False))
    return md


def _heading(open_tag: bool):
    def render(self, tokens, idx, options, env):
        level = min(4, max(3, int(tokens[idx].tag[1]) + 2))
        return f"<h{level}>" if open_tag else f"</h{level}>\n"

    return render


@lru_cache(maxsize=1)
def _breaking_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True})
    md.disable(["image"])
    return md


@lru_cache(maxsize=MAX_CACHED)
def api_html(text: str | None) -> str | None:
    """The HTML police.uk's API gives in `description` and `bio`: sanitised Markdown without our page
    classes, each line break kept (as police.uk's `<br/>`); None for a blank text."""
    if not text or not text.strip():
        return None
    html = _breaking_parser().render(text.replace("\r\n", "\n"))
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return clean.replace("<br>\n", "<br/>").replace("<br>", "<br/>").strip()


@lru_cache(maxsize=MAX_CACHED)
def _render(text: str) -> str:
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        set_tag_attribute_values={tag: {"class": value} for tag, value in CLASSES.items()},
    )


def markdown(text: str | None) -> Markup:
    """Safe HTML for a Markdown text (an empty Markup for None or blank)."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_render(text.replace("\r\n", "\n")))  # noqa: S704 - sanitised by nh3 above


def plain(text: str | None, limit: int | None = None) -> str:
    """The text with Markdown and any markup removed: for feeds' summaries, search and page descriptions."""
    if not text:
        return ""
    words = html.unescape(nh3.clean(_render(text.replace("\r\n", "\n")), tags=set())).split()
    result = " ".join(words)
    if limit and len(result) > limit:
        result = result[: limit - 1].rsplit(" ", 1)[0] + "…"
    return result
