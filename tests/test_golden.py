"""Golden output: the journal's part of key pages of the sample journal, as committed text.

Regenerate after an intended change with:  .venv/bin/python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = {
    "home": "",
    "timeline": "timeline/",
    "models": "models/",
    "tags": "tags/",
    "model-mlp-3": "models/mlp-3/",
    "model-hgb-2": "models/hgb-2/",
}
_BLOCK = re.compile(r"(?=<(?:article|header|h[1-6]|p|tr|table|div|details|dl|dt|dd|figure|nav|ul|li|pre)[\s>])")


def journal_part(html: str) -> str:
    """The plugin's own HTML of a page, one block element per line (readable diffs)."""
    start = html.index('<div class="mj-page">')
    end = html.index("<!--/mj-page-->")
    return "\n".join(line for line in _BLOCK.split(html[start:end]) if line) + "\n"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_sample_page_matches_golden(name, sample_site, request):
    page = sample_site / PAGES[name] / "index.html"
    actual = journal_part(page.read_text(encoding="utf-8"))
    golden = GOLDEN / f"{name}.html"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}: run pytest tests/test_golden.py --update-golden"
    assert actual == golden.read_text(encoding="utf-8")
