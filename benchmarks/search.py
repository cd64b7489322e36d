"""Search on a large journal, in Chromium: Material's lunr index against Pagefind's chunks.

    .venv/bin/python benchmarks/search.py                         # 10,000 entries, 600 runs
    .venv/bin/python benchmarks/search.py --entries 2000 --runs 300

Builds one synthetic journal (make_journal.py) twice, `search: material` and `search:
pagefind`, serves each gzipped as GitHub Pages does, and for a few model IDs typed into the
search box measures the bytes fetched from the first keystroke to the first results and the
time from the last keystroke to the first results (medians). Needs mljournal[pagefind].
With --zensical, also the site Zensical builds (`journal build --engine zensical`) with its
own search: its index (search.json) is fetched whole when a page loads, not when search
opens, so its bytes are counted from the page load to the first results.
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
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    marker = "  - journal:\n"
    body = text.split(marker, 1)
    lines = [line for line in body[1].splitlines(keepends=True) if not line.startswith("      search:")]
    config.write_text(body[0] + marker + f"      search: {kind}\n" + "".join(lines), encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([str(BIN / "journal"), "build", "--force"], cwd=project, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    site = project.parent / f"site-{kind}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(project / "site", site)
    return site, seconds


def build_zensical(project: Path) -> tuple[Path, float]:
    start = time.perf_counter()
    subprocess.run([str(BIN / "journal"), "build", "--engine", "zensical", "--force"], cwd=project, check=True,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    site = project.parent / "site-zensical"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(project / "site", site)
    return site, seconds


def measure_zensical(site: Path, queries: list[str]) -> dict[str, list[float]]:
    """Zensical's search dialog: its button, then the query typed; the first results are there
    when it says how many it found."""
    import re

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
                page = context.new_page()
                fetched: list[int] = []
                page.on("response", lambda r: fetched.append(int(r.headers.get("content-length") or 0))
                        if "search" in r.url else None)
                page.goto(url + "timeline/")
                page.wait_for_load_state("networkidle")
                page.locator(".md-search__button").first.click()
                page.keyboard.type(query, delay=30)
                typed = time.perf_counter()
                count = page.get_by_text(re.compile(r"^\s*\d+ results?\s*$")).first
                count.wait_for(timeout=120_000)
                found["ms"].append((time.perf_counter() - typed) * 1000)
                found["bytes"].append(sum(fetched))
                found["results"].append(int(count.inner_text().split()[0]))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return found


def measure(site: Path, queries: list[str]) -> dict[str, list[float]]:
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
                page = context.new_page()
                page.goto(url + "timeline/")
                page.wait_for_load_state("networkidle")
                fetched: list[int] = []
                page.on("response", lambda r: fetched.append(int(r.headers.get("content-length") or 0)))
                page.locator("label.md-search__icon, .md-search__input").first.click()
                page.locator("input.md-search__input").press_sequentially(query, delay=30)
                typed = time.perf_counter()
                page.locator(".md-search-result__item").first.wait_for(timeout=120_000)
                found["ms"].append((time.perf_counter() - typed) * 1000)
                page.wait_for_load_state("networkidle")
                found["bytes"].append(sum(fetched))
                found["results"].append(page.locator(".md-search-result__item").count())
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
    parser.add_argument("--zensical", action="store_true", help="also Zensical's own search (needs mljournal[zensical])")
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
        for kind in ("material", "pagefind"):
            site, seconds = build(project, kind)
            folder = site / ("pagefind" if kind == "pagefind" else "search")
            size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            found = measure(site, queries)
            print(f"| {kind} | {seconds:.1f} s | {size / 1e6:.1f} MB | {statistics.median(found['bytes']) / 1024:.0f} KB "
                  f"| {statistics.median(found['ms']):.0f} ms | {statistics.median(found['results']):.0f} |", flush=True)
        if options.zensical:
            site, seconds = build_zensical(project)
            size = (site / "search.json").stat().st_size
            found = measure_zensical(site, queries)
            print(f"| Zensical's own (fetched at page load) | {seconds:.1f} s | {size / 1e6:.1f} MB "
                  f"| {statistics.median(found['bytes']) / 1024:.0f} KB | {statistics.median(found['ms']):.0f} ms "
                  f"| {statistics.median(found['results']):.0f} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
