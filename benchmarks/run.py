"""The journal's benchmark: one command, medians over repeated runs, the blog plugin as reference.

    .venv/bin/python benchmarks/run.py                      # the issue's size: 2,000 entries, 300 runs
    .venv/bin/python benchmarks/run.py --entries 200 --runs 30 --steps 1000 --screenshots 60 --repeat 3
    .venv/bin/python benchmarks/run.py --entries 10000 --runs 600 --screenshots 3000 --skip-blog   # a year of work

Measures, on a synthetic journal made by make_journal.py:
- cold `journal build` (no caches), no-change rebuild (also right after a run wrote its
  files, when their stat proves nothing), one entry edited then `journal build`, peak RSS
  of the build's whole process tree (workers included);
- `journal serve`: from saving an edited entry to the edit being served on its model page
  and its timeline page;
- the site's total bytes, the largest page's bytes and element count, and the first view
  (HTML, CSS and JS, gzipped) of the home page, a timeline page and a model page;
- Material's blog plugin building the same entries as posts, as the reference.
Machines are noisy: figures are medians, and ratios are taken within one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """(seconds, peak RSS in MB of the whole process tree: the build and its worker processes,
    summed, sampled every 20 ms) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, max(peak[0], usage.ru_maxrss * 1024) // (1024 * 1024)


def tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and all its descendants now (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total


def first_view(site: Path, page: Path) -> int:
    """Bytes a reader downloads to see `page`, gzipped as GitHub Pages sends text: the HTML and
    the stylesheets and scripts it links (images are not counted: below the fold, or lazy)."""
    import gzip
    import re
    import urllib.parse

    html = page.read_bytes()
    total = len(gzip.compress(html, 6))
    for link in re.findall(rb'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"#?]+)', html):
        target = (page.parent / urllib.parse.unquote(link.decode())).resolve()
        if target.is_file() and target.is_relative_to(site.resolve()):
            total += len(gzip.compress(target.read_bytes(), 6))
    return total


class _Count(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.elements += 1


def kind_of(relative: str) -> str:
    """What a site file is, for the byte counts: pages, search index, images (plots and
    screenshots, which the blog has none of), the theme's assets, or other."""
    if relative.endswith(".html"):
        return "pages"
    if relative.startswith(("search/", "pagefind/")) or relative == "search.json":  # Material, Pagefind, Zensical
        return "search"
    if relative.startswith(("assets/plots/", "assets/thumbs/", "runs/")):
        return "images"
    if relative.startswith("assets/"):
        return "theme"
    return "other"


def site_figures(site: Path) -> dict:
    kinds = dict.fromkeys(("pages", "search", "images", "theme", "other"), 0)
    for path in site.rglob("*"):
        if path.is_file():
            kinds[kind_of(path.relative_to(site).as_posix())] += path.stat().st_size
    pages = [(p.stat().st_size, p) for p in site.rglob("*.html")]
    size, largest = max(pages)
    most = 0
    for _, page in sorted(pages, reverse=True)[:20]:
        count = _Count()
        count.feed(page.read_text(encoding="utf-8"))
        most = max(most, count.elements)
    return {"bytes": sum(kinds.values()), "kinds": kinds, "pages": len(pages), "largest_page": size,
            "largest_page_name": str(largest.relative_to(site)), "most_elements": most}


def first_views(site: Path) -> dict[str, int]:
    """First-view bytes of the home page, the newest timeline page and the largest model page
    (for the blog: its index and its largest post)."""
    found = {"home": site / "index.html"}
    months = sorted(p for p in (site / "timeline").glob("*/index.html")) if (site / "timeline").is_dir() else []
    if months:
        found["a timeline page"] = months[-1]
    models = list((site / "models").glob("*/index.html")) if (site / "models").is_dir() else []
    posts = list((site / "blog").rglob("index.html")) if (site / "blog").is_dir() else []
    if models:
        found["a model page"] = max(models, key=lambda p: p.stat().st_size)
    elif posts:
        found["a post"] = max(posts, key=lambda p: p.stat().st_size)
    return {name: first_view(site, page) for name, page in found.items() if page.is_file()}


def serve_latency(project: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds from saving an edited entry to the edit being served on its model page and its
    timeline page: in the server's first minute (it lists and looks up the runs again at each
    edit, until it has read them with every run file at rest), and after it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(BIN / "journal"), "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    entry = sorted((project / "journal" / "entries").rglob("*.md"))[-1]
    model = next(line.split(":", 1)[1].strip() for line in entry.read_text().splitlines() if line.startswith("model:"))
    urls = [f"http://127.0.0.1:{port}/models/{model}/", f"http://127.0.0.1:{port}/timeline/{entry.parent.name}/"]
    original = entry.read_text()
    first, later = [], []
    try:
        _wait(urls[0], "", 600)
        started = time.monotonic()
        for results in (first, later):
            if results is later:  # the runs were last read a minute after the last run file changed
                time.sleep(max(0.0, started + 62 - time.monotonic()))
            for number in range(repeat):
                time.sleep(1.5)  # let the server settle
                token = f"edit-{number}-{time.time_ns()}"
                saved = time.perf_counter()
                entry.write_text(original + f"\n{token}\n")
                for url in urls:
                    _wait(url, token, 120)
                results.append(time.perf_counter() - saved)
    finally:
        entry.write_text(original)
        os.killpg(server.pid, signal.SIGTERM)  # SIGINT is ignored when this script runs in the background
        server.wait(timeout=30)
    return first, later


def _wait(url: str, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8"):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"{text!r} never appeared at {url}")


def blog_project(journal: Path, out: Path) -> Path:
    """The same entries as posts of Material's blog plugin (date and body kept)."""
    posts = out / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    (out / "docs" / "blog" / "index.md").write_text("# Blog\n")
    (out / "docs" / "index.md").write_text("# Home\n")
    for number, entry in enumerate(sorted((journal / "entries").rglob("*.md"))):
        front, body = entry.read_text().split("---\n", 2)[1:]
        date = next(l for l in front.splitlines() if l.startswith("date:"))
        (posts / f"{number:05d}.md").write_text(f"---\n{date}\n---\n# {entry.stem}\n\n{body}")
    (out / "mkdocs.yml").write_text(
        "site_name: Blog\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\n  - blog\n"
        "markdown_extensions:\n  - tables\n  - pymdownx.superfences\n"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--metrics", type=int, default=4)
    parser.add_argument("--screenshots", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-blog", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--zensical", action="store_true",
                        help="Also time cold and warm `journal build --engine zensical` (needs mljournal[zensical]).")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mljournal-bench-"))
    try:
        project = work / "journal-project"
        subprocess.run([sys.executable, str(HERE / "make_journal.py"), str(project), "--entries", str(args.entries),
                        "--runs", str(args.runs), "--steps", str(args.steps), "--metrics", str(args.metrics),
                        "--screenshots", str(args.screenshots)], check=True)
        shutil.copy(Path(__file__).resolve().parent.parent / "generator" / "mljournal" / "templates" / "mkdocs.yml", project / "mkdocs.yml")
        build = [str(BIN / "journal"), "build"]
        cold, warm, rss = [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(project / ".cache", ignore_errors=True)
            shutil.rmtree(project / "site", ignore_errors=True)
            seconds, peak = timed(build, project)
            cold.append(seconds)
            rss.append(peak)
        for _ in range(args.repeat):
            seconds, peak = timed(build, project)
            warm.append(seconds)
            rss.append(peak)
        racy = []  # a run has just written its files: build, then at once build again with nothing changed
        run_folder = next(p for p in sorted((project / "journal" / "runs").iterdir()) if p.is_dir())
        for _ in range(args.repeat):
            for path in run_folder.rglob("*"):
                if path.is_file():
                    os.utime(path)
            timed(build, project)
            racy.append(timed(build, project)[0])
        edited = []  # one entry edited, then `journal build` (what CI and `journal publish` run)
        entry = sorted((project / "journal" / "entries").rglob("*.md"))[-1]
        original = entry.read_text()
        for number in range(args.repeat):
            entry.write_text(original + f"\nedited-{number}\n")
            seconds, peak = timed(build, project)
            edited.append(seconds)
            rss.append(peak)
        entry.write_text(original)
        timed(build, project)
        figures = site_figures(project / "site")
        views = first_views(project / "site")
        latency, settled = ([], []) if args.skip_serve else serve_latency(project, args.repeat)
        zensical_cold, zensical_warm, zensical_figures = [], [], None
        if args.zensical:  # its own cache folders, so MkDocs' cold runs above are not helped by it
            engine = [*build, "--engine", "zensical", "--force"]
            for _ in range(args.repeat):
                shutil.rmtree(project / ".cache", ignore_errors=True)
                zensical_cold.append(timed(engine, project)[0])
            zensical_warm = [timed(engine, project)[0] for _ in range(args.repeat)]
            zensical_figures = site_figures(project / "site")
        blog = blog_figures = blog_views = None
        if not args.skip_blog:
            reference = blog_project(project / "journal", work / "blog")
            blog = [timed([str(BIN / "mkdocs"), "build", "-q"], reference)[0] for _ in range(args.repeat)]
            blog_figures = site_figures(reference / "site")
            blog_views = first_views(reference / "site")

        median = statistics.median
        print(f"\n## mljournal benchmark: {args.entries} entries, {args.runs} runs x {args.steps} steps x "
              f"{args.metrics} metrics, {args.screenshots} screenshots; {os.cpu_count()} cores; medians of {args.repeat}\n")
        large = args.entries >= 10000  # the year-of-work size has its own targets
        print("| measure | value | target |")
        print("| --- | --- | --- |")
        print(f"| cold `journal build` | {median(cold):.1f} s | {'≤ 45 s' if large else '≤ 0.2× blog'} |")
        if blog:
            print(f"| blog plugin build (reference) | {median(blog):.1f} s | |")
            print(f"| cold build / blog | {median(cold) / median(blog):.2f}× | ≤ 0.2× |")
        print(f"| no-change rebuild | {median(warm):.2f} s | ≤ 1 s |")
        print(f"| no-change, right after a run wrote its files | {median(racy):.2f} s | ≤ 1 s |")
        print(f"| one entry edited → `journal build` | {median(edited):.1f} s | {'≤ 3 s' if large else '≤ 2 s'} |")
        if latency:
            print(f"| edit → served (model + timeline page), the server's first minute | {median(latency):.2f} s | "
                  f"{'≤ 1 s' if large else '≤ 0.5 s'} |")
            print(f"| edit → served, after it | {median(settled):.2f} s | {'≤ 1 s' if large else '≤ 0.5 s'} |")
        if zensical_cold:
            print(f"| cold `journal build --engine zensical` | {median(zensical_cold):.1f} s | |")
            print(f"| rebuild, nothing changed, under Zensical (`--force`) | {median(zensical_warm):.1f} s | |")
            print(f"| Zensical site bytes | {zensical_figures['bytes'] / 1e6:.1f} MB ({zensical_figures['pages']} pages) | |")
        print(f"| peak RSS, whole process tree | {max(rss)} MB | ≤ 1024 MB |")
        for name, size in views.items():
            reference = f" (blog's {blog_views[name] / 1024:.0f} KB)" if blog_views and name in blog_views else ""
            print(f"| first view of {name}, gzipped (HTML, CSS, JS) | {size / 1024:.0f} KB{reference} | ≤ 150 KB |")
        print(f"| largest page | {figures['largest_page'] / 1024:.0f} KB ({figures['largest_page_name']}) | ≤ 300 KB |")
        print(f"| most elements on a page | {figures['most_elements']} | ≤ 2000 |")
        print(f"| site bytes | {figures['bytes'] / 1e6:.1f} MB ({figures['pages']} pages) | ≤ ⅓ of blog |")
        if blog_figures:
            print(f"| blog site bytes | {blog_figures['bytes'] / 1e6:.1f} MB ({blog_figures['pages']} pages) | |")
            print(f"| site bytes / blog | {figures['bytes'] / blog_figures['bytes']:.2f}× | ≤ 0.33× |")
            ours, theirs = figures["kinds"], blog_figures["kinds"]
            text = ours["pages"] + ours["search"]
            print(f"| pages + search index / blog's | {text / (theirs['pages'] + theirs['search']):.2f}× | |")
        print("\n| site bytes by kind | journal | blog |\n| --- | --- | --- |")
        for kind in figures["kinds"]:
            blog_bytes = f"{blog_figures['kinds'][kind] / 1e6:.1f} MB" if blog_figures else ""
            print(f"| {kind} | {figures['kinds'][kind] / 1e6:.1f} MB | {blog_bytes} |")
        print(f"\nruns: cold {[round(x, 1) for x in cold]}, rebuild {[round(x, 2) for x in warm]}, "
              f"racy no-change {[round(x, 2) for x in racy]}, edited {[round(x, 1) for x in edited]}, "
              f"serve {[round(x, 2) for x in latency]} then {[round(x, 2) for x in settled]}, blog {[round(x, 1) for x in blog or []]}"
              + (f", zensical cold {[round(x, 1) for x in zensical_cold]}, warm {[round(x, 1) for x in zensical_warm]}"
                 if zensical_cold else ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
