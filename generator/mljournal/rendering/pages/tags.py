"""Tags: an index of every tag, and a page of each tag's entries, one line each, paged."""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup

from mljournal.reading.entries import Entry
from mljournal.rendering.html import e
from mljournal.rendering.pages.kit import Context, PageKit, SitePage, pager, summary
from mljournal.rendering.routes import TAG, TAGS, paginate

ROUTES = (TAGS, TAG)
PAGE_SIZE = 150  # entries on one page of a tag, one line each


def pages(ctx: Context) -> Iterator[SitePage]:
    yield ctx.page(TAGS, "Tags", tags_index_page(ctx.kit))
    for slug, tag in ctx.index.tags.items():
        newest = sorted(tag.entries, key=lambda en: (en.date, en.key), reverse=True)
        chunks = paginate(newest, PAGE_SIZE)
        links = [(str(n), ctx.page_url(TAG.source(n, slug=slug))) for n in range(1, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            title = f"#{tag.name}" if number == 1 else f"#{tag.name} ({number})"
            nav = pager(links, links[number - 1][1], f"Pages of #{tag.name}")
            html = lambda chunk=chunk, nav=nav: tag_page(ctx.kit, tag.name, chunk, len(newest), nav)  # noqa: E731
            yield ctx.page(TAG, title, html, number, key=slug, slug=slug)


def tag_page(kit: PageKit, name: str, entries: list[Entry], total: int, pager: Markup) -> Markup:
    """One page of a tag's entries, one line each (title, or the start of the text)."""
    lines = "".join(kit.line(entry, entry.title or summary(entry.body)) for entry in entries)
    return Markup(f'<h1>#{e(name)}</h1><p class="mj-facts">{total} entries, newest first.</p>{pager}'
                  f'<ul class="mj-lines">{lines}</ul>{pager}')


def tags_index_page(kit: PageKit) -> Markup:
    items = "".join(
        f'<li>{kit.tag_link(tag.name)} <small>{len(tag.entries)}</small></li>' for tag in kit.index.tags.values()
    )
    return Markup(f'<h1>Tags</h1><ul class="mj-tags">{items}</ul>')
