"""Hostile input on the built pages, in a real browser: markup in every front-matter field,
run file and file name shows as text on every page (head and theme included), and SVG
screenshots are published without anything that runs."""

from __future__ import annotations

import json

import pytest

from test_browser import browser, serving  # noqa: F401 - fixtures


HOSTILE = "<img src=x onerror=window.pwned=1>"


@pytest.mark.browser
@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_markup_in_every_field_and_file_name_runs_nowhere_on_any_page(browser, project, engine):  # noqa: F811
    """Front matter, run files and file names carrying markup: every page, <head> and the
    theme's header and nav included, shows it as text (issue: tag names reached <title> and
    the header topic unescaped)."""
    from io import BytesIO

    from PIL import Image

    from mljournal.commands.build import build_site

    project.config()
    project.entry("2026-10-01-x-1.md", f"---\ndate: 2026-10-01\nmodel: x-1\ntags: ['{HOSTILE}', 'a\"b']\n"
                                       f"title: '{HOSTILE} &amp; </title><script>window.pwned=2</script>'\n"
                                       f"status: '{HOSTILE}'\n---\n## Hypothesis\n\n{HOSTILE}\n")
    project.run_file("x-1", "run.json", json.dumps({"params": {HOSTILE: HOSTILE}, "command": HOSTILE}))
    project.run_file("x-1", "metrics.jsonl", json.dumps({"step": 1, HOSTILE: 1.0}) + "\n" +
                     json.dumps({"step": 2, HOSTILE: 2.0}) + "\n")
    picture = BytesIO()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(picture, "PNG")
    project.run_file("x-1", f"{HOSTILE}.png", picture.getvalue())
    build_site(project.root / "mkdocs.yml", engine=engine)
    site = project.root / "site"
    pages = sorted(p.relative_to(site).parent.as_posix() for p in site.rglob("index.html"))
    with serving(site) as url:
        opened = browser.new_page()
        for path in pages:
            opened.goto(url + ("" if path == "." else path + "/") + ("?m=x-1" if path == "compare" else ""))
            opened.wait_for_load_state("networkidle")
            assert opened.evaluate("window.pwned") is None, path
            assert opened.evaluate("document.querySelectorAll('[onerror]').length + Array.from("
                                   "document.scripts).filter(s => s.text.includes('pwned')).length") == 0, path
        opened.close()


HOSTILE_SVG = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="80"
     onload="window.pwned=1">
  <style>@import url(https://evil.example/x.css); rect { fill: teal }</style>
  <script>window.pwned = 2</script>
  <rect id="r" width="120" height="80" fill="teal" onclick="window.pwned=3"/>
  <a xlink:href="javascript:window.pwned=4"><text x="5" y="20">click</text></a>
  <a href="#r"><text x="5" y="40">here</text></a>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:window.pwned=5"/></foreignObject>
  <set attributeName="href" to="javascript:window.pwned=6"/>
</svg>
"""


@pytest.mark.browser
def test_an_svg_screenshot_is_published_without_anything_that_runs(browser, project):  # noqa: F811
    from mljournal.commands.build import build_site

    project.config()
    project.entry("2026-10-01-x-1.md", "---\ndate: 2026-10-01\nmodel: x-1\n---\nText.\n")
    project.run_file("x-1", "diagram.svg", HOSTILE_SVG)
    project.run_file("x-1", "doctype.svg", '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    report = build_site(project.root / "mkdocs.yml")
    assert report.warnings == 1  # journal/runs/x-1/doctype.svg: skipped: an SVG with a DOCTYPE or entities is not published
    published = (project.root / "site" / "runs" / "x-1" / "diagram.svg").read_text()
    for gone in ("script", "onload", "onclick", "@import", "javascript:", "evil.example", "foreignObject", "<set"):
        assert gone not in published, gone
    assert 'href="#r"' in published and 'fill="teal"' in published
    assert not (project.root / "site" / "runs" / "x-1" / "doctype.svg").exists()
    with serving(project.root / "site") as url:
        opened = browser.new_page()
        opened.goto(url + "runs/x-1/diagram.svg")  # opened directly, as the thumbnail's link does
        opened.mouse.click(10, 10)
        opened.wait_for_timeout(200)
        assert opened.evaluate("window.pwned") is None
        assert opened.locator("rect").count() == 1
        opened.close()
