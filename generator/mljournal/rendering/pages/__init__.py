"""One module per page kind: each plans its pages from the index and renders them.

A kind's module declares the routes it owns (`ROUTES`, from the table in routes.py) and a
`pages(ctx)` that yields its `SitePage`s; `KINDS` is the order they are planned in. Adding a
page kind is adding a module here, its route, and its test.
"""

from __future__ import annotations

from mljournal.rendering.pages import compare, conclusions, lineage, model, tags, timeline
from mljournal.rendering.pages.kit import Context, PlotImage, Screenshot, SitePage, TocItem

KINDS = (conclusions, timeline, lineage, model, tags, compare)

__all__ = ["KINDS", "Context", "PlotImage", "Screenshot", "SitePage", "TocItem"]
