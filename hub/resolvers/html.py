"""Article bodies are HTML from agencies' editors: keep formatting, drop everything active.

Allowed: paragraphs, headings, emphasis, lists, quotes, tables, figures, line breaks, links
(http, https, mailto; opened with ``rel="noopener noreferrer"``) and images (http, https).
Scripts, styles, event handlers, ``javascript:`` URLs, iframes and forms are removed
(``<script>`` and ``<style>`` with their content).
"""

from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "blockquote", "q", "cite", "ul", "ol", "li", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    ).strip()


def visible_text(value: str) -> str:
    """The text a reader would see (tags removed, entities decoded), for emptiness checks."""
    return html.unescape(nh3.clean(value, tags=set())).strip()
