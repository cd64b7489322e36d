"""The table of page kinds: where each kind's pages live, which are in the nav and in search,
and which part of the index each follows in `journal serve`. The nav, the engines, the live
updater and the tests read it; a page's source path is written nowhere else.

A page's source is its path as if it were a Markdown file in docs_dir ("models/tcn-7.md");
the engine turns it into a URL ("models/tcn-7/"). Long lists are split into numbered pages:
page 1 at `first`, page N at `more`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Route:
    kind: str
    first: str  # page 1's source, with {fields}
    more: str | None = None  # page N's source (N > 1); None: never split
    nav: str | None = None  # its title in the nav: only the top pages are there
    search: str = "all"  # which of its pages the search indexes: all, first, none (copies of what others index)
    follows: str | None = None  # its pages, one per model, tag or month, change with that model, tag or month alone
    hide: tuple[str, ...] = ("navigation", "toc")  # the theme's sidebars left out

    def source(self, number: int = 1, **fields: str) -> str:
        pattern = self.first if number == 1 else self.more
        if pattern is None:
            raise ValueError(f"{self.kind} pages are not split")
        return pattern.format(number=number, **fields)

    def searchable(self, number: int = 1) -> bool:
        return self.search == "all" or (self.search == "first" and number == 1)


CONCLUSIONS = Route("conclusions", "index.md", "conclusions/{number}.md", nav="Conclusions", search="first")
TIMELINE = Route("timeline", "timeline/index.md", nav="Timeline", search="none")  # the newest month's page, again
MONTH = Route("month", "timeline/{month}/index.md", "timeline/{month}/{number}.md", follows="month")
LINEAGE = Route("lineage", "models/index.md", nav="Models")
MODEL = Route("model", "models/{model}.md", follows="model", hide=("navigation",))
TAGS = Route("tags", "tags/index.md", nav="Tags")
TAG = Route("tag", "tags/{slug}.md", "tags/{slug}/{number}.md", search="none", follows="tag")
COMPARE = Route("compare", "compare/index.md", nav="Compare", search="none")  # drawn in the browser from ?m=

ROUTES = (CONCLUSIONS, TIMELINE, MONTH, LINEAGE, MODEL, TAGS, TAG, COMPARE)  # the order pages are planned in

# Files the journal writes beside its pages.
CONCLUSIONS_CSV = "conclusions.csv"
CONCLUSIONS_JSON = "conclusions.json"
FEED = "feed.xml"
COMPARE_DATA = "assets/compare"  # one JSON file per model, fetched by the compare page only

# The site's top pages, in nav order: thousands of entry, model and tag pages stay out of it.
NAV = [{route.nav: route.first} for route in ROUTES if route.nav]
IN_NAV = frozenset(route.first for route in ROUTES if route.nav)


def paginate(items: Sequence[T], size: int) -> list[list[T]]:
    """`items` in pages of at most `size`; one empty page for no items."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)] or [[]]
