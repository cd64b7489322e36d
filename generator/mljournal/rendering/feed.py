"""An Atom feed of the journal (RFC 4287): the newest entries, as they are on the timeline.

Each entry's title is its date and models, its content the entry's card as the timeline
shows it, with every URL made absolute from `site_url` (a feed reader has no page to be
relative to), and its id the entry's permanent address on its timeline page.
"""

from __future__ import annotations

from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

from mljournal.index import JournalIndex
from mljournal.reading.entries import Entry
from mljournal.rendering.html import ROOT, raw_url
from mljournal.rendering.pages.kit import PageKit

SIZE = 50  # newest entries in the feed


def atom(index: JournalIndex, kit: PageKit, site_name: str, site_url: str, feed_path: str, author: str = "") -> bytes:
    """The feed's bytes. `site_url` is where the site is published; `feed_path` where the feed is in it."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    newest = sorted(index.entries, key=lambda en: (en.date, en.key), reverse=True)[:SIZE]
    updated = _stamp(newest[0].date) if newest else _stamp(datetime.fromtimestamp(0, timezone.utc))
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(site_name)}</title>",
        f"<id>{escape(base)}</id>",
        f"<updated>{updated}</updated>",
        f"<link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(base + feed_path)}/>",
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(base)}/>",
        f"<author><name>{escape(author or site_name)}</name></author>",
        "<generator>mljournal</generator>",
    ]
    for entry in newest:
        parts.append(_entry(entry, kit, base))
    parts.append("</feed>\n")
    return "\n".join(parts).encode("utf-8")


def _entry(entry: Entry, kit: PageKit, base: str) -> str:
    address = _absolute(raw_url(kit.links.entry(entry), entry.anchor), base)
    title = f"{entry.date.date().isoformat()} {', '.join(entry.models)}" + (f": {entry.title}" if entry.title else "")
    card = str(kit.card(entry, searchable=True)).replace(ROOT, base)  # as on its timeline page
    return (
        "<entry>"
        f"<title>{escape(title)}</title>"
        f"<id>{escape(address)}</id>"
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(address)}/>"
        f"<updated>{_stamp(entry.date)}</updated>"
        f"<published>{_stamp(entry.date)}</published>"
        + "".join(f"<category term={quoteattr(tag)}/>" for tag in entry.tags)
        + f'<content type="html">{escape(card)}</content>'
        "</entry>"
    )


def _absolute(url: str, base: str) -> str:
    return url.replace(ROOT, base)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
