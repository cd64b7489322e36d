"""Benchmark the compare page on the benchmark journal, in Debian's Chromium.

    .venv/bin/python benchmarks/compare.py                 # 2,000 entries, 300 runs x 5,000 steps x 4 metrics
    .venv/bin/python benchmarks/compare.py --models 10 --repeat 5

Measures, as medians of --repeat:
- the added cold-build time for every model's data file (the time `compare_data.data_files`
  takes inside a cold `journal build`, against the whole build);
- bytes fetched by the compare page for --models models (every response, as sent): once as
  files are, once gzipped as GitHub Pages sends text files;
- charts drawn after the data arrived (the page's own marks, mj-compare-data -> mj-compare-drawn);
- one hover frame: a mousemove over a chart, with every synced chart's readout updated,
  to the next layout.
"""

from __future__ import annotations

import argparse
import functools
import gzip
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
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def cold_build(project: Path) -> tuple[float, float]:
    """(seconds of the whole cold build, seconds of it spent on compare data files), in this process."""
    from mljournal.cache import clear_memory
    from mljournal.commands.build import build_site
    from mljournal.rendering import compare_data, render

    shutil.rmtree(project / ".cache", ignore_errors=True)
    shutil.rmtree(project / "site", ignore_errors=True)
    clear_memory()  # the readers', renders' and compare data's memory: what a new process has
    spent = []
    original = compare_data.data_files

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    render.compare_data.data_files = timed
    try:
        start = time.perf_counter()
        build_site(project / "mkdocs.yml", force=True)
        return time.perf_counter() - start, sum(spent)
    finally:
        render.compare_data.data_files = original


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _Gzip(_Quiet):
    """Text files gzipped, as GitHub Pages sends them."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv") or not path.is_file():
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def page_figures(site: Path, models: list[str], repeat: int, zipped: bool = False) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    handler = _Gzip if zipped else _Quiet
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/compare/?m={','.join(models)}"
    figures: dict[str, list[float]] = {"bytes": [], "data_bytes": [], "drawn_ms": [], "hover_ms": [], "hover_max_ms": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                sizes: dict[str, float] = {}
                urls: dict[str, str] = {}
                cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
                cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
                page.goto(url)
                page.wait_for_selector("html[data-mj-compare=drawn]", timeout=60_000)
                page.wait_for_load_state("networkidle")
                figures["bytes"].append(sum(sizes.values()))
                figures["data_bytes"].append(sum(size for rid, size in sizes.items() if "/assets/compare/" in urls.get(rid, "")))
                figures["drawn_ms"].append(page.evaluate(
                    "performance.measure('drawn', 'mj-compare-data', 'mj-compare-drawn').duration"))
                frames = page.evaluate("""() => {
                  const over = document.querySelector('.mj-compare-chart .u-over'), box = over.getBoundingClientRect()
                  const times = []
                  for (let i = 0; i < 80; i++) {
                    const start = performance.now()
                    over.dispatchEvent(new MouseEvent('mousemove', { clientX: box.left + box.width * (i + 0.5) / 80,
                                                                      clientY: box.top + box.height / 2, bubbles: true }))
                    document.body.getBoundingClientRect()  // the readouts laid out
                    times.push(performance.now() - start)
                  }
                  return times
                }""")
                figures["hover_ms"].append(statistics.median(frames))
                figures["hover_max_ms"].append(max(frames))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--metrics", type=int, default=4)
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mljournal-compare-"))
    try:
        project = work / "journal-project"
        subprocess.run([sys.executable, str(HERE / "make_journal.py"), str(project), "--entries", str(args.entries),
                        "--runs", str(args.runs), "--steps", str(args.steps), "--metrics", str(args.metrics),
                        "--screenshots", "0"], check=True)
        shutil.copy(HERE.parent / "generator" / "mljournal" / "templates" / "mkdocs.yml", project / "mkdocs.yml")
        builds = [cold_build(project) for _ in range(args.repeat)]
        runs = sorted(p.name for p in (project / "journal" / "runs").iterdir() if p.is_dir())
        chosen = runs[:: max(1, len(runs) // args.models)][: args.models]
        page = page_figures(project / "site", chosen, args.repeat)
        zipped = page_figures(project / "site", chosen, args.repeat, zipped=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = statistics.median
    total, data = median(b[0] for b in builds), median(b[1] for b in builds)
    print(f"\n## compare page: {args.entries} entries, {args.runs} runs x {args.steps} steps x {args.metrics} metrics; "
          f"{args.models} models compared; medians of {args.repeat}\n")
    print("| measure | value | target |")
    print("| --- | --- | --- |")
    print(f"| cold `journal build` | {total:.1f} s | |")
    print(f"| of it, every model's data file | {data:.2f} s ({data / total:.1%}) | ≤ 10% |")
    print(f"| bytes fetched by the compare page | {median(page['bytes']) / 1024:.0f} KB | ≤ 600 KB |")
    print(f"| of them, the {args.models} data files | {median(page['data_bytes']) / 1024:.0f} KB | |")
    print(f"| the same, gzipped as GitHub Pages sends them | {median(zipped['bytes']) / 1024:.0f} KB; data "
          f"{median(zipped['data_bytes']) / 1024:.0f} KB | |")
    print(f"| charts drawn after the data arrived | {median(page['drawn_ms']):.0f} ms | ≤ 300 ms |")
    print(f"| one hover frame (median of 80 moves; worst) | {median(page['hover_ms']):.1f} ms; "
          f"{median(page['hover_max_ms']):.1f} ms | ≤ 16 ms |")


if __name__ == "__main__":
    main()
