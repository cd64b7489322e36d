"""The built sample journal in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from datetime import datetime
from pathlib import Path

import pytest

from conftest import REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
    pytest.skip("browser tests need Debian's Chromium: apt-get install chromium", allow_module_level=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serving(site: Path):
    """The folder `site` over HTTP on a free loopback port: its base URL."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def base_url(sample_site: Path):
    with serving(sample_site) as url:
        yield url


ENGINES = ["mkdocs", "properdocs", "zensical"]


@pytest.fixture(params=ENGINES)
def engine_site(request, engine_sites) -> Path:
    """The sample journal's site as each engine built it."""
    return engine_sites(request.param)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.problems = []  # type: ignore[attr-defined]
    opened.on("console", lambda m: m.type == "error" and opened.problems.append(f"console: {m.text}"))
    opened.on("pageerror", lambda error: opened.problems.append(f"script error: {error}"))
    opened.on("requestfailed", lambda r: opened.problems.append(f"failed: {r.url}"))
    opened.on("response", lambda r: r.status >= 400 and opened.problems.append(f"{r.status}: {r.url}"))
    yield opened
    context.close()


def test_home_table_has_a_row_per_model_and_links_open_model_pages(page, base_url, sample_site):
    page.goto(base_url)
    rows = page.locator("table.mj-conclusions tbody tr[data-id]")
    models = sorted(p.name for p in (sample_site / "models").iterdir() if p.is_dir())
    assert rows.count() == len(models) >= 12
    first = rows.nth(0).locator("td.mj-id a")
    model_id = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.url == f"{base_url}models/{model_id}/"
    assert page.locator("h1").first.inner_text().startswith(model_id)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "model-page.png"))
    assert page.problems == []


def test_timeline_is_newest_first_with_lazy_sized_images(page, base_url):
    page.goto(base_url + "timeline/")
    stamps = page.locator("article.mj-entry .mj-entry__date time").evaluate_all("els => els.map(e => e.dateTime)")
    moments = [datetime.fromisoformat(s) for s in stamps]
    assert len(moments) >= 5
    assert moments == sorted(moments, reverse=True)
    for image in page.locator("article.mj-entry img").all():
        assert image.get_attribute("loading") == "lazy"
        assert image.get_attribute("width") and image.get_attribute("height")
    older = page.locator("nav.mj-steps a[rel=next]")
    label = older.inner_text().removesuffix(" →")
    page.wait_for_load_state("networkidle")  # leaving while images load would abort them: not a fault
    with page.expect_navigation():
        older.click()
    assert page.locator("h1").first.inner_text() == f"Timeline {label}"
    assert page.problems == []


def test_model_page_plots_and_screenshots_load(page, base_url, sample_site):
    with_plots = next(p.parent.name for p in sorted((sample_site / "models").glob("*/index.html"))
                      if "mj-plot" in p.read_text() and "mj-gallery" in p.read_text())
    page.goto(f"{base_url}models/{with_plots}/")
    images = page.locator("figure.mj-plot .mj-plot-wide img, .mj-gallery img")  # the desktop figure
    assert images.count() >= 2
    for image in images.all():
        image.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert page.problems == []


def test_search_finds_a_word_from_an_entry(page, base_url):
    """The index is fetched when the reader opens search, not by every page; the first query,
    typed while it loads, is answered."""
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "search_index" in r.url else None)
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert asked == []
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("augmentation", delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    assert asked == [f"{base_url}search/search_index.json"]
    assert "augmentation" in results.first.inner_text().lower()
    assert page.problems == []


def test_a_model_id_searched_finds_that_model_and_not_its_namesakes_in_other_families(page, base_url):
    """Material splits words at '-': "mlp-4" found hgb-4 and linear-4 (24 results)."""
    page.goto(f"{base_url}timeline/?q=mlp-4")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    texts = [item.inner_text() for item in results.all()]
    assert texts and all("mlp-4" in text for text in texts), texts
    assert not any(("hgb-4" in text or "linear-4" in text) and "mlp-4" not in text for text in texts)
    assert page.problems == []


def test_a_search_link_opens_with_its_results(page, base_url):
    page.goto(f"{base_url}timeline/?q=augmentation")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    assert page.locator("input.md-search__input").input_value() == "augmentation"
    assert page.problems == []


@pytest.mark.parametrize(("device", "viewport"), [("phone", (390, 844)), ("desktop", (1440, 900))])
def test_phone_and_desktop_widths_lay_out_without_sideways_scrolling(browser, base_url, device, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=device == "phone")
    opened = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in (("home", ""), ("timeline", "timeline/"), ("model", "models/mlp-3/"), ("models", "models/"),
                       ("compare", "compare/?m=mlp-2,mlp-4,mlp-8")):
        opened.goto(base_url + path)
        if name == "compare":
            opened.wait_for_selector("html[data-mj-compare=drawn]")
        overflow = opened.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, path
        opened.screenshot(path=str(ARTIFACTS / f"{device}-{name}.png"))
    context.close()


def _internal_targets(site: Path):
    """(page, attribute value) for every href/src on every page that stays on the site."""
    from html.parser import HTMLParser
    from urllib.parse import urlsplit

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name in ("href", "src") and value and tag in ("a", "img", "link", "script"):
                    self.found.append(value)

    for page in sorted(site.rglob("*.html")):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for value in parser.found:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith(("#", "mailto:")):
                continue
            yield page, value


def test_every_internal_link_and_image_resolves(engine_site):
    from urllib.parse import unquote, urlsplit

    sample_site = engine_site
    broken = []
    checked = 0
    for page, value in _internal_targets(sample_site):
        path = unquote(urlsplit(value).path)
        # 404.html is served at any depth, so MkDocs roots its URLs at "/" (at site_url's path when set)
        base = sample_site if path.startswith("/") else page.parent
        target = (base / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        checked += 1
        if not target.is_file() or not target.is_relative_to(sample_site.resolve()):
            broken.append(f"{page.relative_to(sample_site)}: {value}")
    assert broken == []
    assert checked > 1000


def test_every_page_loads_without_console_errors_or_failed_requests(page, engine_site):
    urls = sorted(p.relative_to(engine_site).parent.as_posix() for p in engine_site.rglob("index.html"))
    assert len(urls) > 50
    with serving(engine_site) as base_url:
        for path in urls:
            path = "" if path == "." else path + "/"
            page.goto(base_url + path)
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load too
            page.wait_for_load_state("networkidle")
            assert page.problems == [], path


def test_serve_reloads_the_open_page_when_an_entry_is_edited(browser, project):
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    entry = project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nbefore the edit\n")
    server = subprocess.Popen([sys.executable, "-m", "mljournal", "serve", "-a", f"127.0.0.1:{port}"], cwd=project.root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    context = browser.new_context()
    try:
        opened = context.new_page()
        deadline = time.monotonic() + 60
        while True:
            try:
                opened.goto(f"http://127.0.0.1:{port}/models/a-1/")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        opened.get_by_text("before the edit").wait_for()
        opened.evaluate("window.notReloaded = true")
        entry.write_text("---\ndate: 2026-10-01\nmodel: a-1\n---\nafter the edit\n")
        opened.get_by_text("after the edit").wait_for(timeout=30000)  # no goto, no reload: livereload did it
        assert opened.evaluate("window.notReloaded === undefined")
    finally:
        context.close()
        import os
        import signal

        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=15)


def test_the_site_published_to_a_bare_remote_works_in_the_browser(browser, tmp_path, monkeypatch):
    import shutil
    import subprocess

    from click.testing import CliRunner

    from mljournal.cli import main

    def git(cwd, *args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True, capture_output=True)

    project, remote, clone = tmp_path / "project", tmp_path / "remote.git", tmp_path / "pages"
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project)
    shutil.copytree(REPO / "journal", project / "journal")
    (project / ".gitignore").write_text("/site/\n/.cache/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "journal")
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["publish"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    git(tmp_path, "clone", "-q", "--branch", "gh-pages", str(remote), str(clone))

    handler = functools.partial(_Quiet, directory=str(clone))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        opened = context.new_page()
        failures = []
        opened.on("requestfailed", lambda r: failures.append(r.url))
        opened.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
        opened.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        assert opened.locator("table.mj-conclusions tbody tr").count() >= 12
        opened.locator("a.mj-model", has_text="hgb-4").first.click()
        opened.wait_for_load_state("networkidle")
        assert opened.locator("h1").first.inner_text().startswith("hgb-4")
        assert opened.locator("figure.mj-plot .mj-plot-wide img").is_visible()
        assert failures == []
    finally:
        context.close()
        server.shutdown()


def test_the_first_screen_of_the_conclusion_table_shows_every_model_of_the_sample(browser, base_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    opened = context.new_page()
    try:
        opened.goto(base_url)
        bottoms = opened.locator("table.mj-conclusions tbody tr[data-id]").evaluate_all(
            "rows => rows.map(r => r.getBoundingClientRect().bottom)")
        assert len(bottoms) == 19
        assert max(bottoms) <= 900, bottoms  # ID, status and key metrics of all 19 in the first screen
        ARTIFACTS.mkdir(exist_ok=True)
        opened.screenshot(path=str(ARTIFACTS / "conclusions-1440.png"))
    finally:
        context.close()


def _shown_rows(page) -> list[str]:
    return page.locator("table.mj-conclusions tbody tr[data-id]:not([hidden])").evaluate_all(
        "rows => rows.map(r => r.dataset.id)")


def test_a_shared_view_of_the_table_filters_and_sorts_as_its_url_says(page, base_url, sample_site):
    import csv
    import io

    page.goto(base_url + "?family=mlp&sort=-val_acc")
    shown = _shown_rows(page)
    rows = list(csv.DictReader(io.StringIO((sample_site / "conclusions.csv").read_bytes().decode("utf-8-sig"))))
    mlps = sorted((r for r in rows if r["family"] == "mlp"), key=lambda r: -float(r["val_acc"]))
    assert shown == [r["id"] for r in mlps] and len(shown) == 9  # only MLPs, best first
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("val_acc")
    assert page.locator("form.mj-filters select[name=family]").input_value() == "mlp"
    assert page.problems == []


def test_on_a_phone_the_filtered_out_cards_are_not_shown(browser, base_url):
    """On a phone each row is a card (`display: flex`), which the `hidden` the filter sets
    does not beat by itself: every card stayed on screen whatever the filter said."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "?family=hgb")
    page.wait_for_load_state("networkidle")
    shown = page.locator("table.mj-conclusions tbody tr").evaluate_all(
        "rows => rows.filter(r => r.getBoundingClientRect().height > 0).map(r => r.dataset.id || r.dataset.family)")
    context.close()
    assert shown == ["hgb", "hgb-4", "hgb-5", "hgb-3", "hgb-2", "hgb-1"]


def test_sorting_filters_and_the_url_follow_what_the_reader_chooses(page, base_url):
    page.goto(base_url)
    page.locator("th[data-key='m:val_loss'] button").click()  # lower is better: ascending first
    grouped = page.locator("table.mj-conclusions tbody tr[data-id]").evaluate_all(
        "rows => rows.map(r => [r.dataset.family, parseFloat(r.querySelector('td[data-label=val_loss]').dataset.v)])")
    for family in {f for f, _ in grouped}:  # by family, sorted within each
        inside = [v for f, v in grouped if f == family]
        assert inside == sorted(inside), family
    assert [f for f, _ in grouped] == sorted((f for f, _ in grouped), key=[f for f, _ in grouped].index)
    page.locator("form.mj-filters input[name=group]").uncheck()
    values = page.locator("table.mj-conclusions tbody tr[data-id] td[data-label=val_loss]").evaluate_all(
        "cells => cells.map(c => c.dataset.v === undefined ? null : parseFloat(c.dataset.v))")
    numbers = [v for v in values if v is not None]
    assert numbers == sorted(numbers) and values[: len(numbers)] == numbers  # numeric, missing last
    assert "sort=val_loss" in page.url and "group=0" in page.url
    assert page.locator("tr.mj-family:not([hidden])").count() == 0
    page.locator("form.mj-filters select[name=status]").select_option("abandoned")
    assert "mlp-3" in _shown_rows(page) and "status=abandoned" in page.url
    for model_id in _shown_rows(page):
        assert page.locator(f"tr[data-id='{model_id}']").get_attribute("data-status") == "abandoned"
    page.locator("form.mj-filters select[name=status]").select_option("")
    page.locator("form.mj-filters select[name=tag]").select_option("augmentation")
    tagged = _shown_rows(page)
    assert tagged and all("augmentation" in page.locator(f"tr[data-id='{m}']").get_attribute("data-tags").split()
                          for m in tagged)
    page.locator("form.mj-filters select[name=tag]").select_option("")
    page.locator("form.mj-filters input[name=q]").fill("shift")
    assert 0 < len(_shown_rows(page)) < 19 and "q=shift" in page.url
    assert page.problems == []


def test_the_whole_text_opens_over_the_table_and_nothing_moves(page, base_url):
    page.goto(base_url)
    rows = page.locator("table.mj-conclusions tbody tr[data-id]")
    before = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().top)")
    page.locator("tr[data-id='mlp-3'] td[data-label=conclusion] a.mj-whole").click()
    popover = page.locator(".mj-pop:popover-open")
    assert popover.count() == 1 and "Depth doesn" in popover.inner_text()
    assert rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().top)") == before
    assert page.url.rstrip("/") == base_url.rstrip("/")  # it did not leave the table
    page.keyboard.press("Escape")
    assert page.locator(".mj-pop:popover-open").count() == 0
    assert page.problems == []


def test_without_javascript_the_table_is_whole_grouped_and_its_texts_lead_to_the_model(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    opened = context.new_page()
    try:
        opened.goto(base_url)
        assert opened.locator("table.mj-conclusions tbody tr[data-id]").count() == 19
        assert opened.locator("tr.mj-family").count() == 3
        # the controls are in the page (nothing moves as the script starts) but not shown without it
        assert not opened.locator("form.mj-filters").is_visible() and not opened.locator("input.mj-pick").first.is_visible()
        whole = opened.locator("tr[data-id='mlp-3'] td[data-label=conclusion] a.mj-whole")
        assert whole.get_attribute("href") == "models/mlp-3/"
    finally:
        context.close()


def test_numeric_sorts_put_models_without_the_metric_last_both_ways(browser, project):
    from mljournal.commands.build import build_site

    for number, loss in ((1, "0.5"), (2, None), (3, "0.25"), (10, "0.75")):
        project.entry(f"2026-10-{10 + number}-a-{number}.md", f"---\ndate: 2026-10-{10 + number}\nmodel: a-{number}\n---\nx\n")
        project.run_file(f"a-{number}", "metrics.csv", f"step,val_loss,val_acc\n1,{loss or ''},0.{number}\n")
    build_site(project.root / "mkdocs.yml")
    context = browser.new_context()
    opened = context.new_page()
    try:
        with serving(project.root / "site") as url:
            opened.goto(url + "?sort=val_loss&group=0")
            assert _shown_rows(opened) == ["a-3", "a-1", "a-10", "a-2"]
            opened.goto(url + "?sort=-val_loss&group=0")
            assert _shown_rows(opened) == ["a-10", "a-1", "a-3", "a-2"]
            opened.goto(url + "?sort=id&group=0")
            assert _shown_rows(opened) == ["a-1", "a-2", "a-3", "a-10"]  # natural order of IDs
    finally:
        context.close()


@pytest.mark.parametrize(("width", "shown", "smallest"), [(1440, "wide", 10.5), (390, "narrow", 10.9)])
def test_plots_reflow_to_one_column_on_a_phone_with_labels_of_eleven_pixels(browser, base_url, width, shown, smallest):
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 600)
    opened = context.new_page()
    fetched = []
    opened.on("request", lambda r: "/assets/plots/" in r.url and fetched.append(r.url.rsplit("/", 1)[1]))
    try:
        opened.goto(base_url + "models/mlp-3/")
        figure = opened.locator("figure.mj-plot")
        figure.scroll_into_view_if_needed()
        opened.wait_for_load_state("networkidle")
        visible = figure.locator(f"a.mj-plot-{shown} img")
        assert visible.is_visible() and figure.locator("img:visible").count() == 1
        assert len(fetched) == 1 and fetched[0].endswith("-narrow.svg") == (shown == "narrow")  # one figure fetched
        rendered, natural = visible.evaluate("img => [img.clientWidth, img.naturalWidth]")
        assert 11 * rendered / natural >= smallest, (rendered, natural)  # the 11 px labels, as the reader sees them
    finally:
        context.close()


# The checks behind the Lighthouse accessibility audits that failed on these pages and were
# fixed in our templates and CSS (benchmarks/lighthouse.py measures the audits themselves):
# color-contrast, link-in-text-block, target-size, heading-order, aria-dialog-name.
_A11Y = """() => {
  const problems = [];
  const rgba = (text) => { const m = text.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const luminance = ([r, g, b]) => { const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
  const background = (el) => { const layers = [];
    for (let n = el; n; n = n.parentElement) { const c = rgba(getComputedStyle(n).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] === 1) break; }
    return layers.reverse().reduce((under, layer) => over(layer, under), [255, 255, 255]); };
  const opacity = (el) => { let o = 1; for (let n = el; n; n = n.parentElement) o *= Number(getComputedStyle(n).opacity); return o; };
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden"; };
  for (const el of document.querySelectorAll(".md-content *, .md-footer *")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) || !visible(el)) continue;
    if (el.closest(".mj-visually-hidden, svg, .uplot, del, s, [aria-hidden=true]")) continue;
    const style = getComputedStyle(el); const fg = rgba(style.color); fg[3] *= opacity(el);
    const bg = background(el); const shown = over(fg, bg);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    const r = ratio(shown, bg);
    if (r < (large ? 3 : 4.5)) problems.push(`contrast ${r.toFixed(2)}: ${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}"`);
  }
  for (const a of document.querySelectorAll(".md-typeset p a, .md-typeset li a, .md-typeset td a, .md-typeset dd a")) {
    if (!visible(a) || a.closest(".mj-pager, nav") || a.querySelector("img") || !a.textContent.trim()) continue;
    const block = a.parentElement; const text = [...block.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    const style = getComputedStyle(a);
    if (text && !style.textDecorationLine.includes("underline") && !/mj-(tag|badge|entry__date|whole)/.test(a.className))
      problems.push(`link told apart by colour only: "${a.textContent.trim().slice(0, 30)}" in ${block.tagName.toLowerCase()}.${block.className}`);
  }
  for (const el of document.querySelectorAll(".md-typeset a.mj-tag, .md-typeset a.mj-badge, .md-typeset a.mj-entry__date, input.mj-pick")) {
    const r = el.getBoundingClientRect();
    if (visible(el) && r.height < 23.5) problems.push(`target ${r.width.toFixed(0)}x${r.height.toFixed(1)} px: ${el.tagName.toLowerCase()}.${el.className}`);
  }
  let level = 0;
  for (const h of document.querySelectorAll(".md-content h1, .md-content h2, .md-content h3, .md-content h4, .md-content h5, .md-content h6")) {
    const next = Number(h.tagName[1]);
    if (next > level + 1) problems.push(`heading h${next} after h${level}: "${h.textContent.trim().slice(0, 30)}"`);
    level = next;
  }
  for (const d of document.querySelectorAll("[role=dialog]")) if (!d.getAttribute("aria-label") && !d.getAttribute("aria-labelledby")) problems.push("a dialog without a name");
  return problems;
}"""


@pytest.mark.parametrize("path", ["", "timeline/2026-11/", "models/mlp-4/", "compare/?m=mlp-3,mlp-4"])
def test_the_pages_keep_the_accessibility_fixes_lighthouse_asked_for(browser, base_url, path):
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    problems = page.evaluate(_A11Y)
    context.close()
    assert problems == []


_SHIFTS = """window.__shifts = []
new PerformanceObserver(list => { for (const shift of list.getEntries()) window.__shifts.push([shift.value,
  shift.sources.map(s => s.node && s.node.nodeType === 1 ? s.node.tagName + "." + s.node.className : String(s.node && s.node.nodeName))
    .join(" ")]) }).observe({ type: "layout-shift", buffered: true })"""


@pytest.mark.parametrize("slower", [1, 4], ids=["fast phone", "slow phone"])
@pytest.mark.parametrize("path", ["", "timeline/2026-11/", "models/mlp-4/", "models/", "compare/?m=mlp-3,mlp-4"])
def test_nothing_moves_as_a_page_starts(browser, base_url, path, slower):
    """Lighthouse's layout shift, without Lighthouse, on a phone as fast as this machine (as
    Lighthouse loads a page) and on one four times slower, where the page is painted before its
    scripts run. They caught the table's filters and ticks and the model page's tick added by the
    script above the page, the entry list drawn late and the compare view's first margin
    (0.02-0.12 each). Now and then a line of the lineage moves 2 px (0.001) as the arrow's
    fallback font arrives: below what a reader sees, so shifts under 0.01 in all pass."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.add_init_script(_SHIFTS)
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slower})
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    shifts = page.evaluate("window.__shifts")
    context.close()
    assert sum(value for value, _ in shifts) < 0.01, shifts


def test_a_journal_searched_with_pagefind_finds_a_model_id_whole_fetching_little(browser, tmp_path, monkeypatch):
    """`search: pagefind`: Material's box asks Pagefind; the first results cost the bytes of
    Pagefind's script, its WebAssembly and the chunks for the words typed."""
    from click.testing import CliRunner

    from mljournal.cli import main

    from test_search import pagefind_project

    import json

    from mljournal import search

    root = pagefind_project(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 6)  # the sample's pages in shards, merged in the browser
    assert CliRunner().invoke(main, ["build"], catch_exceptions=False).exit_code == 0
    shards = json.loads((root / "site" / "pagefind" / "shards.json").read_text())["shards"]
    assert sorted(shards) == ["", "shard-01", "shard-02", "shard-03"]
    with serving(root / "site") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        problems, fetched = [], {}
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{url}models/mlp-3/")
        page.wait_for_load_state("networkidle")
        page.on("response", lambda r: fetched.__setitem__(r.url, int(r.headers.get("content-length") or 0)))
        page.locator("label.md-search__icon, .md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially("mlp-4", delay=20)
        results = page.locator(".md-search-result__item")
        results.first.wait_for(timeout=15_000)
        first = results.first.locator("a").get_attribute("href")
        texts = [item.inner_text() for item in results.all()]
        context.close()
    assert first.endswith("/models/mlp-4/")
    assert texts and all("mlp-4" in text for text in texts), texts
    assert any("pagefind" in name for name in fetched) and sum(fetched.values()) <= 300 * 1024, fetched
    assert problems == []
