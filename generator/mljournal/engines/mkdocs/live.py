"""`journal serve`: MkDocs' live-reload server over a site kept in memory.

A change under the journal's entries/ or runs/ folders updates the built site in place:
the journal is read again (unchanged files come from the readers' caches; after an edit to
entries alone, the runs as last read and what was found in the unchanged entries), the pages an
edit can touch are rendered again (its models, the models it mentions or corrects, their
children when a run changed, its tags, and every timeline and conclusion page), and only
pages whose HTML differs go through the theme again and are written, with the search index.
Anything else (mkdocs.yml, the theme, another page, a new model, month or tag: a different
set of pages) rebuilds the whole site, as `mkdocs serve` does. A failed rebuild keeps the
last good site being served. Changes to run files alone (a training run appending) update
at most once every RUN_UPDATE_INTERVAL; editor debris triggers nothing.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from mljournal.cache import AT_REST_SECONDS
from mljournal.engines import stop_on_sigterm
from mljournal.engines.mkdocs.plugin import _search_plugin
from mljournal.index import load_journal
from mljournal.output import gone_while_built
from mljournal.reading.walk import is_debris
from mljournal.rendering.changes import render_changes
from mljournal.rendering.render import RenderedSite

log = logging.getLogger("mkdocs.plugins.journal")
RUN_UPDATE_INTERVAL = 1.0  # seconds between updates caused by run files alone


class LiveSite:
    """A site MkDocs has built, with the objects needed to rebuild single pages of it."""

    def __init__(self, config, runs_changed_at: float | None = None) -> None:
        """`runs_changed_at`: the last change seen under runs/ (or when watching began) if
        the runs this build read are known to be read after it; else now."""
        self.config = config
        self.plugin = config.plugins["journal"]
        # The size and mtime of each asset's source when it was last copied into the site.
        # MkDocs' copies take the time of copying, so a copy no older than its source is
        # taken to be of that source: the first update need not copy every screenshot again.
        self.copied: dict[str, tuple[int, int]] = {}
        self.runs_changed_at = time.time() if runs_changed_at is None else runs_changed_at
        site_dir = Path(config.site_dir)
        for asset in self.plugin.rendered.assets if self.plugin.rendered else []:
            try:
                source, target = asset.source.stat(), (site_dir / asset.dest_uri).stat()
            except OSError:
                continue
            if source.st_size == target.st_size and target.st_mtime_ns >= source.st_mtime_ns:
                self.copied[asset.dest_uri] = (source.st_size, source.st_mtime_ns)

    def update(self, runs_changed: bool = True) -> list[str] | None:
        """Bring the site up to date with the journal; the pages written again, or None when
        the change needs a full rebuild. With no run file changed (`runs_changed` false), the
        runs are taken as last read, once they were read while this server watched them with
        every run file at rest (a log's unended last line is read once it is:
        `mljournal.cache.AT_REST_SECONDS`)."""
        from mkdocs.commands.build import _build_page, _populate_page

        plugin = self.plugin
        old_site: RenderedSite = plugin.rendered
        if runs_changed:
            self.runs_changed_at = time.time()
        last = plugin.index.runs_read if plugin.index is not None else None
        # Read after every change seen (and after this server began watching), with each run
        # file at rest then or since: only a change, which the watcher reports, can change them.
        settled = last is not None and last.read_at > self.runs_changed_at and (
            last.at_rest or last.read_at - self.runs_changed_at >= AT_REST_SECONDS)
        index = load_journal(plugin.settings, plugin.project, previous=plugin.index, same_runs=settled)
        rendering = render_changes(plugin.rendering, index, plugin.options)
        if rendering is None:
            return None
        rendered = rendering.site
        old_pages = {page.src_uri: page for page in old_site.pages}
        changed = [page for page in rendered.pages if page is not old_pages[page.src_uri] and (
            page.html, page.title, page.toc, page.hide, page.searchable) != (
            (before := old_pages[page.src_uri]).html, before.title, before.toc, before.hide, before.searchable)]
        for diagnostic in index.diagnostics + rendered.diagnostics:
            log.warning(str(diagnostic))
        site_dir = Path(self.config.site_dir)
        assets = rendered.assets
        for asset in assets:
            target = site_dir / asset.dest_uri
            try:
                source = asset.source.stat()
                signature = (source.st_size, source.st_mtime_ns)
                if self.copied.get(asset.dest_uri) != signature:  # else copied by this server: it is there
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(asset.source, target)
                    self.copied[asset.dest_uri] = signature
            except FileNotFoundError:
                if asset.source.exists():
                    raise
                log.warning(gone_while_built(asset.source, Path(self.config.config_file_path).parent))
                target.unlink(missing_ok=True)
                self.copied.pop(asset.dest_uri, None)
        for gone in {a.dest_uri for a in old_site.assets} - {a.dest_uri for a in assets}:
            (site_dir / gone).unlink(missing_ok=True)  # a screenshot removed, a plot redrawn
            self.copied.pop(gone, None)
        before = {made.dest_uri: made.content for made in old_site.files}
        for made in rendered.files:  # the exports and the feed follow every edit
            if before.get(made.dest_uri) != made.content:
                (site_dir / made.dest_uri).write_bytes(made.content)
        for gone in set(before) - {made.dest_uri for made in rendered.files}:
            (site_dir / gone).unlink(missing_ok=True)
        plugin.accept(index, rendering)
        search = _search_plugin(self.config)
        files, nav, env = plugin.files, plugin.nav, plugin.env
        doc_files = files.documentation_pages()
        for page in changed:
            file = files.get_file_from_path(page.src_uri)
            file.content_string = plugin.stub(page)
            if search is not None:
                location = file.page.url
                search.search_index.entries = [
                    entry for entry in search.search_index.entries if entry["location"].split("#")[0] != location
                ]
            _populate_page(file.page, self.config, files)
            _build_page(file.page, self.config, doc_files, nav, env)
        if search is not None and changed:
            search.on_post_build(config=self.config)
        return [page.src_uri for page in changed]


class _Changes:
    """Paths changed since the last build, as the file watcher reports them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: set[str] = set()

    def dispatch(self, event) -> None:
        if event.is_directory:
            return
        with self.lock:
            self.paths.add(event.src_path)
            if getattr(event, "dest_path", None):
                self.paths.add(event.dest_path)

    def peek(self) -> set[str]:
        with self.lock:
            return set(self.paths)

    def take(self) -> set[str]:
        with self.lock:
            paths, self.paths = self.paths, set()
        return paths


def serve(config_file: Path, dev_addr: str | None = None, open_in_browser: bool = False) -> None:
    """MkDocs' live-reload server, rebuilding only what an edit to the journal changes."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.livereload import LiveReloadServer, _serve_url

    from mljournal.engines.mkdocs import load_config
    from mljournal.errors import JournalError
    from mljournal.project import load_project

    site_dir = tempfile.mkdtemp(prefix="mljournal_")
    options = {"dev_addr": dev_addr} if dev_addr else {}

    def get_config():
        load_project(config_file)  # the journal's own message, with the line, for its settings
        return load_config(config_file, site_dir=site_dir, **options)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = _serve_url(host, port, mount_path)
    changes = _Changes()
    live: LiveSite | None = None
    watched_since: float | None = None  # when the file events began: before the first build
    journal_parts: tuple[str, ...] = ()
    run_parts: tuple[str, ...] = ("\0",)

    last_update = [0.0]

    def builder(new_config=None) -> None:
        nonlocal live, journal_parts, run_parts
        paths = changes.peek()
        if live is not None and paths and all(p.startswith(run_parts) for p in paths):
            # A training run appends all the time: its page follows at most once a second.
            time.sleep(max(0.0, last_update[0] + RUN_UPDATE_INTERVAL - time.monotonic()))
        paths = changes.take()
        if live is not None and paths:
            if all(is_debris(os.path.basename(p)) for p in paths):
                return
            if all(p.startswith(journal_parts) for p in paths):
                start = time.monotonic()
                try:
                    written = live.update(runs_changed=any(p.startswith(run_parts) for p in paths))
                except Exception as error:  # noqa: BLE001 - fall back to a full build, which reports it
                    log.info(f"Updating in place failed ({type(error).__name__}: {error}); rebuilding everything")
                    written = None
                if written is not None:
                    log.info(f"Updated {len(written)} pages in {time.monotonic() - start:.2f} s")
                    last_update[0] = time.monotonic()
                    return
        gc.unfreeze()
        staging = tempfile.mkdtemp(prefix="mljournal_")
        try:
            fresh = new_config or get_config()
            if "journal" in fresh.plugins:  # Material's search: its index follows in-place updates
                fresh.plugins["journal"].serving = True
            fresh.site_url = serve_url
            fresh.site_dir = staging
            build(fresh, serve_url=serve_url)
        except Exception as error:  # noqa: BLE001 - said in one line, and the server goes on
            # The last good site is still served: MkDocs' server would hold every request
            # until a build succeeds, and log a traceback.
            shutil.rmtree(staging, ignore_errors=True)
            if live is None:
                raise
            if isinstance(error, (JournalError, exceptions.MkDocsException)):
                said = str(error).strip()
            else:
                said = f"unexpected {type(error).__name__}: {error} (a bug in mljournal)"
            log.error(f"{said}; still serving the last good site")
            return
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _replace_contents(Path(site_dir), Path(staging))
        fresh.site_dir = site_dir
        plugin = fresh.plugins["journal"]
        for file in plugin.files:  # the pages now live in the served folder
            file.dest_dir = site_dir
            file.__dict__.pop("abs_dest_path", None)
        live = LiveSite(fresh, live.runs_changed_at if live is not None else watched_since)
        # The site just built is kept for every update: out of the collector's sight, so an
        # update's garbage collection does not walk it (measured at 2,000 entries: updates of
        # 0.7-3.6 s became a steady 0.8 s). Thawed before the next full build, so what that
        # build replaces can still be collected.
        gc.collect()
        gc.freeze()
        settings = plugin.settings
        journal_parts = tuple(os.path.join(os.path.abspath(settings.journal_dir), folder) + os.sep
                              for folder in (settings.entries_folder, settings.runs_folder))
        run_parts = journal_parts[1:]

    class Server(LiveReloadServer):
        def _serve_request(self, environ, start_response):
            if "\0" in environ.get("PATH_INFO", ""):  # `/%00`: no file has that name (not a 500)
                return None
            return super()._serve_request(environ, start_response)

    server = Server(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    server.build_delay = 0.05  # editors save in bursts of a few events within milliseconds

    def error_handler(code: int) -> bytes | None:
        if code in (404, 500):
            page = os.path.join(site_dir, f"{code}.html")
            if os.path.isfile(page):
                with open(page, "rb") as handle:
                    return handle.read()
        return None

    server.error_handler = error_handler
    stop_on_sigterm()
    try:
        # Watched before the first build: a change while it reads the journal is seen, so the
        # runs it read are known to be current until the watcher says otherwise.
        watched_since = _watch(server, config, changes)
        builder(config)
        try:
            server.serve(open_in_browser=open_in_browser)
        except KeyboardInterrupt:
            log.info("Shutting down...")
    finally:
        server.shutdown()
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


# Events of reading, not of changing: the build's own reads must not trigger a build.
_NOT_CHANGES = ("opened", "closed_no_write", "attrib")


def _watch(server, config, changes: _Changes) -> float | None:
    """Watch the journal, mkdocs.yml, `watch:` items and the theme's custom_dir with the
    system's file events (inotify, FSEvents…), from now on: MkDocs polls every half second,
    half the time an edit has to be served in. Events of reading are ignored. Where file
    events are not available (too many folders for inotify, say), poll as MkDocs does, from
    when the server starts. The time from which every change is seen, or None (polling)."""
    import watchdog.events
    import watchdog.observers

    paths = sorted({os.path.abspath(p) for p in (config.docs_dir, config.config_file_path, *config.watch,
                                                 config.theme.custom_dir) if p and os.path.exists(p)})

    def callback(event) -> None:
        if event.is_directory or event.event_type in _NOT_CHANGES or _only_debris(event):
            return
        changes.dispatch(event)
        with server._rebuild_cond:  # as LiveReloadServer.watch's own callback does
            server._want_rebuild = True
            server._rebuild_cond.notify_all()

    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = callback  # type: ignore[method-assign]
    observer = watchdog.observers.Observer()
    try:
        for path in paths:
            observer.schedule(handler, path, recursive=os.path.isdir(path))
    except OSError as error:
        log.info(f"File events unavailable ({error}); polling for changes instead")
        for path in paths:
            server.watch(path)
        polling = watchdog.events.FileSystemEventHandler()
        polling.on_any_event = changes.dispatch  # type: ignore[method-assign]
        for path in paths:
            server.observer.schedule(polling, path, recursive=os.path.isdir(path))
        return None
    since = time.time()
    observer.start()
    observer.start = lambda: None  # type: ignore[method-assign] # LiveReloadServer.serve starts it: it is
    server.observer = observer
    for path in paths:
        server._watched_paths[path] = 1  # what LiveReloadServer.serve lists (and injects its script for)
    return since


def _only_debris(event) -> bool:
    """An event about editor debris alone (a swap file, vim's `4913` probe, a `~` backup, an
    Emacs `.#` lock): no build, no reload. A rename of a temp file onto a real one counts."""
    paths = [event.src_path, getattr(event, "dest_path", "") or ""]
    return all(is_debris(os.path.basename(os.fsdecode(path))) for path in paths if path)


def _replace_contents(target: Path, source: Path) -> None:
    """Move a freshly built site into the served folder (whose path the server holds)."""
    for child in list(target.iterdir()):
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in list(source.iterdir()):
        os.replace(child, target / child.name)
    source.rmdir()
