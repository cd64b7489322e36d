"""The journal's page kinds and where they live: one table for the nav, the engines and tests."""

from __future__ import annotations

HOME = "index.md"
TIMELINE = "timeline/index.md"
MODELS = "models/index.md"
TAGS = "tags/index.md"

# The site's top pages, in nav order: thousands of entry, model and tag pages stay out of it.
NAV = [
    {"Conclusions": HOME},
    {"Timeline": TIMELINE},
    {"Models": MODELS},
    {"Tags": TAGS},
]
IN_NAV = frozenset(source for item in NAV for source in item.values())
