"""What every page kind shares: the planning context, links, entry cards and one-line lists.

Every function returns HTML (`Markup`) whose URLs start with ROOT; strings from front matter
and run files are always escaped with `e`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from mljournal.index import JournalIndex, tag_slug
from mljournal.reading.entries import Entry
from mljournal.rendering.html import e, url, when
from mljournal.rendering.routes import Route
from mljournal.settings import STATUSES

if TYPE_CHECKING:  # pragma: no cover
    from mljournal.rendering.compare_data import Site as CompareSite
    from mljournal.rendering.pages.conclusions import KeyMetrics
    from mljournal.rendering.pages.timeline import MonthPage


_HEADING = re.compile(r"<(h[1-6]) ")


@dataclass(frozen=True)
class PlotImage:
    url: str
    width: int
    height: int
    metrics: tuple[str, ...]
    parent_overlaid: bool
    narrow_url: str | None = None  # one column, for phones
    narrow_width: int = 0
    narrow_height: int = 0


@dataclass(frozen=True)
class TocItem:
    level: int
    id: str
    title: str


@dataclass
class Links:
    """Site URLs (root-relative, unescaped) of generated pages."""

    model: Callable[[str], str]
    entry: Callable[[Entry], str]  # the page an entry is on; its anchor is entry.anchor
    tag: Callable[[str], str]
    timeline: str
    models: str
    tags: str
    home: str = ""  # the conclusion table's first page
    compare: str = ""  # the compare page, to which ?m=a,b is added


class PageKit:
    """Shared pieces: entry cards, badges, links. One per build."""

    def __init__(self, index: JournalIndex, links: Links, entry_html: dict[str, str]) -> None:
        self.index = index
        self.links = links
        self.entry_html = entry_html

    def model_link(self, model_id: str, css: str = "mj-model") -> Markup:
        if model_id in self.index.models:
            return Markup(f'<a class="{css}" href="{url(self.links.model(model_id))}">{e(model_id)}</a>')
        return Markup(f'<span class="{css} mj-unknown" title="no such model">{e(model_id)}</span>')

    @staticmethod
    def tick_box(model_id: str) -> Markup:
        """A box that ticks the model for the compare page (the pages' script keeps the ticks).
        It is in the page, not added by the script, so nothing moves as the page starts."""
        return Markup(f'<input type="checkbox" class="mj-pick" value="{e(model_id)}" '
                      f'title="compare {e(model_id)} with other ticked models" aria-label="compare {e(model_id)}">')

    def status(self, status: str | None) -> Markup:
        if not status:
            return Markup("")
        known = status.lower() if status.lower() in STATUSES else "other"
        return Markup(f'<span class="mj-status mj-status--{known}">{e(status)}</span>')

    def tag_link(self, name: str) -> Markup:
        return Markup(f'<a class="mj-tag" href="{url(self.links.tag(tag_slug(name)))}">#{e(name)}</a>')

    def entry_url(self, entry: Entry) -> Markup:
        return url(self.links.entry(entry), entry.anchor)

    def entry_link(self, entry: Entry, text: Markup | None = None) -> Markup:
        label = text if text is not None else e(entry.name)
        return Markup(f'<a href="{self.entry_url(entry)}">{label}</a>')

    def line(self, entry: Entry, text: str) -> Markup:
        """An entry in one line: date (a link to it on its timeline page), models, status and
        a short text; for lists that would be too long as cards (mentions, tags). Thousands
        of these make a journal's list pages, so the markup is bare: the list's CSS knows
        the date is the first link and the text the last span."""
        parts = [f'<a href="{self.entry_url(entry)}">{when(entry.date, False)}</a>',
                 *(self.model_link(m, "mj-badge") for m in entry.models), self.status(entry.status),
                 f"<span>{e(text)}</span>"]
        return Markup(f'<li>{" ".join(p for p in parts if p)}</li>')

    def card(self, entry: Entry, note: Markup = Markup(""), searchable: bool = False,
             on_page_of: str | None = None) -> Markup:
        """An entry as a card. Only its home (its timeline page) is `searchable`: the copies on
        model and tag pages are left out of the search index, headings included. On the page
        of a model (`on_page_of`) its own badge is left out: the page says whose it is."""
        index = self.index
        badges = " ".join(self.model_link(m, "mj-badge") for m in entry.models if m != on_page_of)
        tags = " ".join(self.tag_link(t) for t in entry.tags)
        title = f'<span class="mj-entry__title">{e(entry.title)}</span>' if entry.title else ""
        parts = [
            f'<article class="mj-entry" id="{e(entry.anchor)}"{"" if searchable else " data-search-exclude"}>',
            '<header class="mj-entry__head">',
            f'<a class="mj-entry__date" href="{self.entry_url(entry)}"><time datetime="{entry.date.isoformat()}">'
            f"{when(entry.date, entry.has_time)}{offset(entry)}</time></a>",
            badges,
            self.status(entry.status),
            title,
            tags,
            f'<span class="mj-entry__note">{note}</span>' if note else "",
            "</header>",
        ]
        target = index.corrected.get(entry.key)
        if target is not None:
            parts.append(
                f'<p class="mj-corrects">Corrects {self.entry_link(target)} of {when(target.date, False)}.</p>'
            )
        for fix in index.corrections.get(entry.key, []):
            parts.append(
                f'<p class="mj-corrected">Corrected by {self.entry_link(fix)} on {when(fix.date, False)}: '
                "read it before trusting this entry.</p>"
            )
        body = self.entry_html.get(entry.key, "")
        if not searchable:
            body = Markup(_HEADING.sub(r"<\1 data-search-exclude ", str(body)))  # HTML in, HTML out
        parts.append(f'<div class="mj-entry__body">{body}</div>')
        parts.append("</article>")
        return Markup("".join(p for p in parts if p))


_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`>#|]+|<[^>]+>")


def plain(text: str) -> str:
    """Markdown as plain text, roughly: for one-line summaries, never for rendering."""
    return re.sub(r"\s+", " ", _MARKUP.sub(lambda m: m.group(1) or " ", text)).strip()


def mention_context(body: str, model_id: str, width: int = 160) -> str:
    """The words around the first mention of `model_id` in an entry, as plain text."""
    for paragraph in re.split(r"\n\s*\n", body):
        if model_id in paragraph:
            lines = [ln for ln in paragraph.splitlines() if not ln.lstrip().startswith("#")]
            if any(ln.lstrip().startswith("|") for ln in lines):  # a table: the row that names it
                lines = [ln for ln in lines if model_id in ln][:1]
            text = plain(" ".join(lines))
            at = text.find(model_id)
            if at < 0:
                continue
            start = max(0, at - width // 2)
            end = min(len(text), start + width)
            return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return summary(body, width)


def summary(body: str, width: int = 160) -> str:
    """The first lines of prose of an entry, as plain text."""
    words = []
    for line in body.splitlines():
        if line.lstrip().startswith(("#", "```", "|", "---")) or not line.strip():
            if words:
                break
            continue
        words.append(line)
    text = plain(" ".join(words))
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def offset(entry: Entry) -> Markup:
    """' +09' after a time: entries from several time zones sort by instant, not wall clock."""
    if not entry.has_time:
        return Markup("")
    text = entry.date.strftime("%z")  # +0900
    text = text[:3] if text.endswith("00") else f"{text[:3]}:{text[3:]}"
    return Markup(f' <small class="mj-zone">{e(text)}</small>')


def pager(pages: list[tuple[str, str]], current: str, label: str) -> Markup:
    """Links to the pages of a list: (label, url); nothing when it fits on one page."""
    if len(pages) < 2:
        return Markup("")
    items = []
    for text, link in pages:
        css = ' class="mj-current" aria-current="page"' if link == current else ""
        items.append(f'<a{css} href="{url(link)}">{e(text)}</a>')
    return Markup(f'<nav class="mj-pager" aria-label="{e(label)}">{"".join(items)}</nav>')


@dataclass(frozen=True)
class Screenshot:
    name: str  # its caption
    url: str  # the full image, site-relative
    thumb_url: str  # what the page shows small
    width: int | None  # of the thumbnail, CSS pixels
    height: int | None
    strip: bool = False  # a pixel or two high: a weight or activation picture a tool logged, not a screenshot


@dataclass
class SitePage:
    """A planned page: where it lives, and its HTML (None: not rendered this time, unchanged)."""

    src_uri: str  # as if it were a file in the docs folder: "models/tcn-7.md"
    url: str  # site-relative: "models/tcn-7/" (the source again for engines that link sources)
    title: str
    html: Markup | None  # URLs start with html.ROOT
    toc: list[TocItem] = field(default_factory=list)
    hide: tuple[str, ...] = ("navigation", "toc")
    searchable: bool = True  # False: a copy of content indexed elsewhere
    kind: str = ""

    def __post_init__(self) -> None:
        if self.html is not None and not isinstance(self.html, Markup):
            raise TypeError(f"{self.src_uri}: page HTML must be Markup, built from escaped pieces")


@dataclass
class Context:
    """What a page kind plans and renders its pages from. One per build."""

    index: JournalIndex
    kit: PageKit
    section_html: Callable[[Entry, str], Markup]  # a section of an entry, rendered as in its body
    page_url: Callable[[str], str]  # source -> the URL pages link to
    screenshots: dict[str, list[Screenshot]]  # by model
    plots: Callable[[], dict[str, PlotImage]]  # by model; waits for the plots being drawn
    wants: Callable[[Route, str], bool]  # render this page of a `follows` route (else keep the old one)
    months: list[MonthPage]  # the timeline's pages, which entries link to
    key_metrics: KeyMetrics  # the conclusion table's metric columns, for its pages and exports
    data_files: Callable[[], dict[str, str]]  # model -> its compare data file, site-relative; made when asked
    compare_site: CompareSite  # how the compare page's data writes URLs

    def page(self, route: Route, title: str, html: Markup | Callable[[], Markup] | None, number: int = 1,
             toc: list[TocItem] | None = None, key: str = "", **fields: str) -> SitePage:
        """A page of `route`: its place, search rule and layout come from the route table.
        `html` may be a function, called only when the page is wanted."""
        source = route.source(number, **fields)
        if route.follows and not self.wants(route, key):
            html = None
        elif callable(html):
            html = html()
        return SitePage(source, self.page_url(source), title, html, toc if toc is not None else [], route.hide,
                        route.searchable(number), route.kind)
