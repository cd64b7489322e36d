"""Search on a large journal, in Chromium: Material's lunr index against Pagefind's chunks.

    .venv/bin/python benchmarks/search.py                         # 10,000 entries, 600 runs
    .venv/bin/python benchmarks/search.py --entries 2000 --runs 300
    .venv/bin/python benchmarks/search.py --kinds zensical         # Zensical's own search only

Builds one synthetic journal (make_journal.py) twice, `search: material` and `search:
pagefind`, serves each gzipped as GitHub Pages does, and for a few model IDs typed into the
search box measures the bytes fetched from the first keystroke to the first results and the
time from the last keystroke to the first results (medians). Needs mljournal[pagefind].
With --kinds material,pagefind,zensical, also the site Zensical builds (`journal build
--engine zensical`) with its own search: its index (search.json) is fetched whole when a
page loads, not when search opens, so its bytes are counted from the page load to the first
results.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare import _Gzip  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
BIN = Path(sys.executable).parent


def build(project: Path, kind: str) -> tuple[Path, float]:
    """The site with `kind` of search ("material", "pagefind", or "zensical": Zensical's
    engine and its own search), copied aside; and how long the build took."""
    command = [str(BIN / "journal"), "build", "--force"]
    if kind == "zensical":
        command += ["--engine", "zensical"]
    else:
        config = project / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        marker = "  - journal:\n"
        body = text.split(marker, 1)
        lines = [line for line in body[1].splitlines(keepends=True) if not line.startswith("      search:")]
        config.write_text(body[0] + marker + f"      search: {kind}\n" + "".join(lines), encoding="utf-8")
    start = time.perf_counter()
    subprocess.run(command, cwd=project, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    site = project.parent / f"site-{kind}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(project / "site", site)
    return site, seconds


def ask_material(page, url: str, query: str) -> tuple[int, float, int]:
    """Material's search box (Pagefind's too: the journal keeps the box): (bytes fetched from
    the first keystroke, milliseconds from the last keystroke to the first results, results)."""
    page.goto(url + "timeline/")
    page.wait_for_load_state("networkidle")
    fetched: list[int] = []
    page.on("response", lambda r: fetched.append(int(r.headers.get("content-length") or 0)))
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(query, delay=30)
    typed = time.perf_counter()
    page.locator(".md-search-result__item").first.wait_for(timeout=120_000)
    ms = (time.perf_counter() - typed) * 1000
    page.wait_for_load_state("networkidle")
    return sum(fetched), ms, page.locator(".md-search-result__item").count()


def ask_zensical(page, url: str, query: str) -> tuple[int, float, int]:
    """Zensical's search dialog: its index is fetched when a page loads, so the bytes of the
    search's files are counted from the page load; the first results are there when the
    dialog says how many it found."""
    import re

    fetched: list[int] = []
    page.on("response", lambda r: fetched.append(int(r.headers.get("content-length") or 0)) if "search" in r.url else None)
    page.goto(url + "timeline/")
    page.wait_for_load_state("networkidle")
    page.locator(".md-search__button").first.click()
    page.keyboard.type(query, delay=30)
    typed = time.perf_counter()
    count = page.get_by_text(re.compile(r"^\s*[\d,.\u202f ]+ results?\s*$")).first  # "1,806 results"
    count.wait_for(timeout=120_000)
    ms = (time.perf_counter() - typed) * 1000
    return sum(fetched), ms, int(re.sub(r"\D", "", count.inner_text()))


def measure(site: Path, queries: list[str], ask) -> dict[str, list[float]]:
    """`ask` each query on `site`, served gzipped, in a fresh browser context each time."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Gzip, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    found: dict[str, list[float]] = {"bytes": [], "ms": [], "results": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for query in queries:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                fetched, ms, results = ask(context.new_page(), url, query)
                found["bytes"].append(fetched)
                found["ms"].append(ms)
                found["results"].append(results)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=600)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--kinds", default="material,pagefind",
                        help="which searches, of material, pagefind and zensical (Zensical's own; needs mljournal[zensical])")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mljournal-search-"))
    try:
        project = work / "journal-project"
        subprocess.run([sys.executable, str(HERE / "make_journal.py"), str(project), "--entries", str(options.entries),
                        "--runs", str(options.runs), "--steps", str(options.steps), "--metrics", "2",
                        "--screenshots", "0"], check=True, stdout=subprocess.DEVNULL)
        shutil.copy(HERE.parent / "generator" / "mljournal" / "templates" / "mkdocs.yml", project / "mkdocs.yml")
        models = sorted(p.name for p in (project / "journal" / "runs").iterdir())
        queries = [models[len(models) // 3], models[len(models) // 2], models[-1]]
        print(f"\n## search: {options.entries} entries, {options.runs} models; queries {', '.join(queries)}; "
              "served gzipped; Chromium, desktop width\n")
        print("| search | build | site search files | fetched to first results | first results after typing | results shown |")
        print("| --- | --- | --- | --- | --- | --- |")
        for kind in options.kinds.split(","):
            site, seconds = build(project, kind)
            files = [site / "search.json"] if kind == "zensical" else \
                [p for p in (site / ("pagefind" if kind == "pagefind" else "search")).rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files)
            found = measure(site, queries, ask_zensical if kind == "zensical" else ask_material)
            label = "Zensical's own (fetched at page load)" if kind == "zensical" else kind
            print(f"| {label} | {seconds:.1f} s | {size / 1e6:.1f} MB | {statistics.median(found['bytes']) / 1024:.0f} KB "
                  f"| {statistics.median(found['ms']):.0f} ms | {statistics.median(found['results']):.0f} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
