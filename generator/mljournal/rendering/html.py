"""Small HTML helpers: escaping, site-root URLs, dates."""

from __future__ import annotations

import math
from datetime import datetime
from html import escape
from urllib.parse import quote

from markupsafe import Markup

ROOT = "mljournal-root:/"


def e(value: object) -> Markup:
    """Text as HTML, for content and attribute values alike. Markup is HTML already: it is
    kept as it is, so nothing is escaped twice."""
    return value if isinstance(value, Markup) else Markup(escape(str(value), quote=True))


def url(path: str, fragment: str = "") -> Markup:
    """A site-root-relative path (and #fragment) as an escaped URL, every file name encoded."""
    return e(raw_url(path, fragment))


def raw_url(path: str, fragment: str = "") -> str:
    """`url` before HTML escaping, for ElementTree attributes (which escape on output)."""
    return ROOT + quote(path, safe="/") + ("#" + quote(fragment, safe="") if fragment else "")


def relative_root(page_url: str) -> str:
    """What replaces ROOT on the page at `page_url` (site-relative, e.g. 'models/tcn-7/')."""
    depth = page_url.count("/")
    return "../" * depth


def resolve_root(html: Markup, page_url: str) -> Markup:
    return Markup(str(html).replace(ROOT, relative_root(page_url)))


def page_path(src_uri: str, directory_urls: bool) -> str:
    """The URL of a generated page, as MkDocs gives it: 'models/a.md' -> 'models/a/'."""
    stem = src_uri[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        base = stem[: -len("index")]
        return base if directory_urls else base + "index.html"
    return stem + "/" if directory_urls else stem + ".html"


def when(moment: datetime, with_time: bool = True) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if with_time else moment.strftime("%Y-%m-%d")


def number(value: float) -> str:
    """A metric value to four significant digits at every magnitude, short and exact enough
    to compare: 0.9612, 0.001848, 12.35, 1.234e-05, inf (compare.js's fmt() is the same rule)."""
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0.0000"
    if abs(value) < 1e-3 or abs(value) >= 1e6:
        return f"{value:.3e}"
    return f"{value:.4g}" if abs(value) >= 1 else f"{value:#.4g}"  # below 1, trailing zeros kept: 0.5000
