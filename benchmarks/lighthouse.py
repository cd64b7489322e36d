"""Lighthouse 12 (mobile, its default throttling) on the sample journal's home, timeline, a
model page and the compare page, served gzipped as GitHub Pages serves them.

    .venv/bin/python benchmarks/lighthouse.py                 # builds the sample journal first
    .venv/bin/python benchmarks/lighthouse.py --site site/ --repeat 3

Lighthouse comes from npm (installed once into .cache/lighthouse/ with `npm install`); the
browser is the machine's Chromium (CHROME_PATH, default /usr/bin/chromium), never a download.
Prints the median performance and accessibility score of each page and the audits that fail.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare import _Gzip  # noqa: E402  (text files gzipped, as GitHub Pages sends them)

ROOT = HERE.parent
VERSION = "12.2.3"
PAGES = {"home": "", "timeline": "timeline/2026-11/", "model": "models/mlp-4/", "compare": "compare/?m=mlp-3,mlp-4"}
FLAGS = "--no-sandbox --headless --disable-background-networking --disable-component-update --disable-sync --no-first-run"


def lighthouse() -> Path:
    prefix = ROOT / ".cache" / "lighthouse"
    binary = prefix / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", f"lighthouse@{VERSION}"],
                       check=True, stdout=subprocess.DEVNULL)
    return binary


def audit(binary: Path, url: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
        subprocess.run([str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
                        "--only-categories=performance,accessibility", f"--chrome-flags={FLAGS}"],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report = json.loads(out.read_text())
    categories = report["categories"]
    failing = sorted(ref["id"] for name in ("accessibility", "performance") for ref in categories[name]["auditRefs"]
                     if report["audits"][ref["id"]].get("score") is not None and report["audits"][ref["id"]]["score"] < 0.9
                     and report["audits"][ref["id"]].get("scoreDisplayMode") in ("binary", "metricSavings"))
    return {"performance": categories["performance"]["score"], "accessibility": categories["accessibility"]["score"],
            "fcp": report["audits"]["first-contentful-paint"]["numericValue"] / 1000,
            "lcp": report["audits"]["largest-contentful-paint"]["numericValue"] / 1000, "failing": failing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the sample journal)")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    site = options.site
    if site is None:  # the sample journal, built where the README's first command builds it
        subprocess.run([sys.executable, "-m", "mljournal", "build"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        site = ROOT / "site"
    binary = lighthouse()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Gzip, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"Lighthouse {VERSION}, mobile, medians of {options.repeat}, served gzipped\n")
    print("| page | performance | accessibility | first contentful paint | largest contentful paint | failing audits |")
    print("| --- | --- | --- | --- | --- | --- |")
    try:
        for name, path in PAGES.items():
            runs = [audit(binary, base + path) for _ in range(options.repeat)]
            failing = sorted({f for run in runs for f in run["failing"]})
            print(f"| {name} | {statistics.median(r['performance'] for r in runs):.2f} "
                  f"| {statistics.median(r['accessibility'] for r in runs):.2f} "
                  f"| {statistics.median(r['fcp'] for r in runs):.1f} s | {statistics.median(r['lcp'] for r in runs):.1f} s "
                  f"| {', '.join(failing) or 'none'} |", flush=True)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
