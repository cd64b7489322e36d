"""The Zensical engine: the journal's pages as Markdown with HTML blocks, built by `zensical`.

Zensical (Material for MkDocs' successor) reads mkdocs.yml but runs no MkDocs plugins, so
the journal does the plugin's part before it builds: each planned page is written as a
Markdown file whose front matter holds its title and layout and whose body is the page's
HTML, with the screenshots, plots and thumbnails beside them and the author's other pages
of docs_dir, into a staging folder (`<cache_dir>/zensical/docs`). The entries and runs
folders are never copied. A config derived from mkdocs.yml (the journal's nav, the
journal's stylesheet, no plugins) points the real `zensical build` at it.

Only files whose bytes changed are written into the staging folder, so Zensical's own cache
rebuilds only those, and `journal serve --engine zensical` runs `zensical serve` on the
staging folder while the journal keeps it in step with the journal.

Zensical needs docs_dir and site_dir inside the folder of its config file and no `..` in
them (0.0.73 panics otherwise), and empties site_dir on every build: hence the staging
folder holds the config, the docs and the site, and the site is moved out when built.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from importlib import resources
from pathlib import Path

from mljournal.engines import BuildResult, stop_on_sigterm, with_theme_features
from mljournal.errors import BuildError, ConfigError
from mljournal.project import Project, dump_config, markdown_extensions
from mljournal.rendering.html import e
from mljournal.rendering.routes import NAV

log = logging.getLogger("mkdocs.plugins.journal")
STAGE = "zensical"
STYLESHEET = "assets/stylesheets/mljournal.css"
SCRIPT = "assets/javascripts/mljournal.js"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def build(project: Project, site_dir: Path, *, strict: bool = False) -> BuildResult:
    stage = stage_dir(project)
    result, warnings = stage_site(project, stage)
    warnings += _run(["build", "-f", str(stage / "mkdocs.yml")], stage)
    if strict and warnings:
        raise BuildError(f"{len(warnings)} warnings in strict mode: " + "; ".join(warnings[:5]))
    built = stage / "site"
    if not built.is_dir():
        raise BuildError(f"zensical wrote no site into {built}")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(built), str(site_dir))
    result.site_dir, result.warnings = site_dir, warnings
    return result


def stage_dir(project: Project) -> Path:
    return project.settings.cache_dir / STAGE


def stage_site(project: Project, stage: Path) -> tuple[BuildResult, list[str]]:
    """Render the journal and bring the staging folder up to date: (what it holds, warnings)."""
    from mljournal.index import load_journal
    from mljournal.rendering.html import resolve_root
    from mljournal.rendering.changes import render_reusing
    from mljournal.rendering.render import RenderOptions

    settings = project.settings
    names, configs = markdown_extensions(project.config)
    index = load_journal(settings, project.root)
    options = RenderOptions(project.root, bool(project.config.get("use_directory_urls", True)), names, configs,
                            link_sources=True, site_name=str(project.config.get("site_name") or ""),
                            site_url=project.site_url, site_author=str(project.config.get("site_author") or ""))
    rendered = render_reusing(index, options).site
    warnings = [str(d) for d in index.diagnostics + rendered.diagnostics]
    for warning in warnings:
        log.warning(warning)
    docs = stage / "docs"
    wanted: dict[str, bytes | Path] = {}
    ours = (settings.entries_folder + "/", settings.runs_folder + "/")
    authors = {path.relative_to(project.docs_dir).as_posix(): path
               for path in _other_files(project.docs_dir, ours, warnings, project.root)}
    wanted.update(authors)
    for asset in rendered.assets:
        wanted[asset.dest_uri] = asset.source
    for made in rendered.files:
        wanted[made.dest_uri] = made.content
    for page in rendered.pages:
        if page.src_uri in wanted:
            warnings.append(f"{page.src_uri}: replaced by the journal's generated page of the same name; rename it")
            log.warning(warnings[-1])
        body = resolve_root(page.html or "", page.src_uri)
        wanted[page.src_uri] = _markdown(page.title, page.hide, page.searchable, body).encode("utf-8")
    theme = resources.files("mljournal.theme")
    wanted[STYLESHEET] = Path(str(theme.joinpath(STYLESHEET)))
    wanted[SCRIPT] = Path(str(theme.joinpath(SCRIPT)))
    _sync(docs, wanted, warnings, project.root)
    generated = {p.src_uri for p in rendered.pages}
    config = _derived_config(project, sorted(p for p in authors if p.endswith(".md") and p not in generated))
    _write_if_changed(stage / "mkdocs.yml", config.encode("utf-8"))
    return BuildResult(stage / "site", len(rendered.pages), len(index.entries), len(index.models)), warnings


def _markdown(title: str, hide: tuple[str, ...], searchable: bool, html: str) -> str:
    """A page for Zensical: front matter, then the page as one HTML block (passed through)."""
    search = "" if searchable else "search:\n  exclude: true\n"
    # The theme puts the title into the page unescaped: it goes in as HTML text.
    return (f"---\ntitle: {json.dumps(str(e(title)))}\nhide: {json.dumps(list(hide))}\n{search}---\n\n"
            f'<div class="mj-page">{html}</div>\n')


def _derived_config(project: Project, other_pages: list[str]) -> str:
    """mkdocs.yml for the staging folder: the author's settings, the journal's nav and
    stylesheet, no plugins (Zensical ignores those it does not know) and no hooks."""
    config = {k: v for k, v in project.config.items() if k not in ("plugins", "hooks", "docs_dir", "site_dir", "INHERIT")}
    config["docs_dir"], config["site_dir"] = "docs", "site"
    theme = dict(config.get("theme") or {"name": "material"}) if not isinstance(config.get("theme"), str) else {
        "name": config["theme"]}
    theme.pop("custom_dir", None)  # Material's Jinja overrides; Zensical has its own templates
    theme["features"] = with_theme_features(theme.get("features"))
    config["theme"] = theme
    config["extra_css"] = [*(config.get("extra_css") or []), STYLESHEET]
    config["extra_javascript"] = [*(config.get("extra_javascript") or []), SCRIPT]
    if "nav" not in project.config:
        config["nav"] = [*NAV, *other_pages]
    config["use_directory_urls"] = bool(project.config.get("use_directory_urls", True))
    return "# Written by mljournal from mkdocs.yml for `zensical build`; edits here are lost.\n" + dump_config(config)


def _other_files(docs_dir: Path, ours: tuple[str, ...], warnings: list[str], project_dir: Path) -> list[Path]:
    """The author's own files of docs_dir: not the entries and runs folders, no dotfiles;
    linked folders as the MkDocs engine follows them (`walk_folders`); files refused by
    `refused_source` (keys, links out, FIFOs) and links not followed are named in `warnings`,
    as the MkDocs engine names them."""
    from mljournal.output import refused_source
    from mljournal.reading.walk import shown_path, walk_folders

    found = []
    for folder, dirs, files, skipped in walk_folders(docs_dir):
        relative = Path(folder).relative_to(docs_dir).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for path, reason in skipped:
            if not (prefix + os.path.basename(path) + "/").startswith(ours):
                warnings.append(f"{shown_path(Path(path), project_dir)}: {reason}")
                log.warning(warnings[-1])
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (prefix + d + "/").startswith(ours)]
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith("."):
                continue
            reason = refused_source(path, docs_dir)
            if reason:
                warnings.append(f"{shown_path(path, project_dir)}: {reason}")
                log.warning(warnings[-1])
            else:
                found.append(path)
    return found


def _sync(docs: Path, wanted: dict[str, bytes | Path], warnings: list[str], project_dir: Path) -> None:
    """Make `docs` hold exactly `wanted` (site path -> bytes or the file to copy), writing
    only what differs; a file to copy deleted since it was listed is named in `warnings`."""
    from mljournal.output import gone_while_built

    keep = set(wanted)
    for relative, content in wanted.items():
        target = docs / relative
        if isinstance(content, bytes):
            _write_if_changed(target, content)
            continue
        try:
            _copy_if_changed(content, target)
        except FileNotFoundError:
            if content.exists():
                raise
            warnings.append(gone_while_built(content, project_dir))
            log.warning(warnings[-1])
            keep.discard(relative)
    for folder, dirs, files in os.walk(docs, topdown=False):
        for name in files:
            path = Path(folder) / name
            if path.relative_to(docs).as_posix() not in keep:
                path.unlink()
        for name in dirs:
            try:
                (Path(folder) / name).rmdir()  # only if it became empty
            except OSError:
                pass


def _write_if_changed(target: Path, content: bytes) -> None:
    try:
        if target.read_bytes() == content:
            return
    except OSError:
        target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, target)


def _copy_if_changed(source: Path, target: Path) -> None:
    try:
        was, now = target.stat(), source.stat()
        if was.st_size == now.st_size and was.st_mtime_ns == now.st_mtime_ns:
            return
    except OSError:
        target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _command() -> list[str]:
    try:
        import zensical  # noqa: F401
    except ImportError:
        raise ConfigError("the zensical engine needs Zensical: pip install 'mljournal[zensical]'") from None
    return [sys.executable, "-c", "import sys; from zensical.main import cli; sys.exit(cli())"]


def _run(arguments: list[str], stage: Path) -> list[str]:
    """Run zensical; its warnings, or BuildError with what it said."""
    done = subprocess.run([*_command(), *arguments], cwd=stage, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    said = _ANSI.sub("", done.stderr).strip()
    if done.returncode != 0:
        raise BuildError(f"zensical {arguments[0]} failed: {said or done.stdout.strip()}")
    return _warnings(said)


def _warnings(said: str) -> list[str]:
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    return [line for line in lines if not re.match(r"^(No issues found|\d+ issues? found|Build (started|finished))", line)]


def serve(project: Project, dev_addr: str, open_in_browser: bool = False) -> None:
    """`zensical serve` on the staging folder, which follows the journal as it changes."""
    import watchdog.events
    import watchdog.observers

    stage = stage_dir(project)
    stage_site(project, stage)
    arguments = ["serve", "-f", str(stage / "mkdocs.yml"), "-a", dev_addr] + (["--open"] if open_in_browser else [])
    server = subprocess.Popen([*_command(), *arguments], cwd=stage)
    changed = threading.Event()

    class Handler(watchdog.events.FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type not in ("opened", "closed_no_write") and not event.is_directory:
                changed.set()

    observer = watchdog.observers.Observer()
    observer.schedule(Handler(), str(project.docs_dir), recursive=True)
    observer.schedule(Handler(), str(project.config_file), recursive=False)
    observer.start()
    stop_on_sigterm()
    try:
        while server.poll() is None:
            if not changed.wait(0.2):
                continue
            time.sleep(0.1)  # editors save in bursts
            changed.clear()
            try:
                from mljournal.project import load_project

                fresh = load_project(project.config_file)
                stage_site(fresh, stage)
                log.info("Updated the staging folder; zensical rebuilds what changed")
            except Exception as error:  # noqa: BLE001 - keep serving the last good site
                log.error(f"{error}; still serving the last good site")
    except KeyboardInterrupt:
        log.info("Shutting down...")
    finally:
        observer.stop()
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
