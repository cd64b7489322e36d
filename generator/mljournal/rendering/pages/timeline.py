"""The timeline: every entry, newest first, a page per month (split past timeline_page_size);
`timeline/` is the newest page again."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from mljournal.reading.entries import Entry
from mljournal.rendering.html import e, url
from mljournal.rendering.pages.kit import Context, PageKit, SitePage
from mljournal.rendering.routes import MONTH, TIMELINE, paginate

ROUTES = (TIMELINE, MONTH)


@dataclass(frozen=True)


class MonthPage:
    month: str  # "YYYY-MM"
    number: int  # its page in the month, from 1
    source: str
    entries: list[Entry]

    @property
    def label(self) -> str:
        """Its name: the month, and its number after the first."""
        return self.month if self.number == 1 else f"{self.month} ({self.number})"


def month_of(entry: Entry) -> str:
    """The timeline month an entry is shown in: "2026-11"."""
    return entry.date.strftime("%Y-%m")


def month_pages(entries: list[Entry], size: int) -> list[MonthPage]:
    """Newest first: one page per month, split every `size` entries."""
    months: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda en: (en.date, en.key), reverse=True):
        months.setdefault(month_of(entry), []).append(entry)
    return [MonthPage(month, number, MONTH.source(number, month=month), chunk)
            for month, found in months.items() for number, chunk in enumerate(paginate(found, size), start=1)]


def pages(ctx: Context) -> Iterator[SitePage]:
    months = ctx.months
    newest = ctx.page_url(months[0].source) if months else ctx.page_url(TIMELINE.source())
    yield ctx.page(TIMELINE, "Timeline", timeline_page(ctx.kit, "Timeline", months[0].entries if months else [],
                                                       timeline_pager(ctx, months, newest),
                                                       timeline_steps(ctx, months, newest), False))
    for page in months:
        link = ctx.page_url(page.source)
        title = f"Timeline {page.label}"
        html = lambda page=page, link=link, title=title: timeline_page(  # noqa: E731 - rendered only when wanted
            ctx.kit, title, page.entries, timeline_pager(ctx, months, link), timeline_steps(ctx, months, link), True)
        yield ctx.page(MONTH, title, html, page.number, key=page.month, month=page.month)


def timeline_page(kit: PageKit, title: str, entries: list[Entry], pager: Markup, steps: Markup,
                  searchable: bool) -> Markup:
    cards = "".join(kit.card(entry, searchable=searchable) for entry in entries)
    # the entries' own headings (## Results) are h3: the list is a section of its own under the page's h1
    return Markup(f'<h1>{e(title)}</h1>{pager}<h2 class="mj-entries-title" data-search-exclude>Entries, newest first</h2>'
                  f'<div class="mj-entries mj-timeline">{cards}</div>{steps}')


def timeline_pager(ctx: Context, months: list[MonthPage], current: str) -> Markup:
    """Links to every timeline page, newest first, a line a year: each month's name links its
    first page and numbers its further ones. The entry counts are left out: they would make
    a new entry change every timeline page."""
    years: dict[str, list[list[str]]] = {}
    for page in months:
        link = ctx.page_url(page.source)
        text = calendar.month_abbr[int(page.month[5:])] if page.number == 1 else str(page.number)
        css = ' class="mj-current" aria-current="page"' if link == current else ""
        piece = f'<a{css} href="{url(link)}" title="{e(page.label)}">{text}</a>'
        shown = years.setdefault(page.month[:4], [])
        if page.number == 1 or not shown:
            shown.append([piece])
        else:
            shown[-1].append(piece)
    lines = []
    for year, shown in years.items():
        spans = "".join("<span>" + " ".join(links) + "</span>" for links in shown)
        lines.append(f"<p><b>{e(year)}</b> {spans}</p>")
    return Markup(f'<nav class="mj-pager mj-months" aria-label="Timeline pages" data-search-exclude>{"".join(lines)}</nav>')


def timeline_steps(ctx: Context, months: list[MonthPage], current: str) -> Markup:
    """The newer and older timeline pages, for the end of one."""
    position = next((n for n, page in enumerate(months) if ctx.page_url(page.source) == current), None)
    if position is None:
        return Markup("")
    links = []
    if position > 0:
        newer = months[position - 1]
        links.append(f'<a rel="prev" href="{url(ctx.page_url(newer.source))}">← {e(newer.label)}</a>')
    if position + 1 < len(months):
        older = months[position + 1]
        links.append(f'<a rel="next" href="{url(ctx.page_url(older.source))}">{e(older.label)} →</a>')
    return Markup(f'<nav class="mj-pager mj-steps" aria-label="Newer and older pages">{"".join(links)}</nav>'
                  if links else "")
