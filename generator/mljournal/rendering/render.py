"""Render the whole journal: the pages, the files to publish, and what went wrong.

`render_site` is the one entry point a site engine calls; it returns plain data
(`RenderedSite`) for the engine to write. It only orchestrates: where everything goes
(routes.py), the screenshots and plots, the entry bodies, then each page kind's module
(pages/) plans and renders its pages. Nothing from a run folder is published but its
screenshots (and thumbnails of them): checkpoints stay where they are.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from mljournal.cache import Store, read_pickle, write_pickle
from mljournal.errors import Diagnostic
from mljournal.index import JournalIndex
from mljournal.reading.entries import Entry
from mljournal.reading.runs import find_metric
from mljournal.reading.walk import shown_path
from mljournal.rendering import compare_data, exports, feed, routes
from mljournal.rendering.html import page_path
from mljournal.rendering.images import ImageStore
from mljournal.rendering.markdown import EntryRenderer, RenderContext, Target
from mljournal.rendering.pages import KINDS, Context, PlotImage, Screenshot, SitePage, compare, timeline
from mljournal.rendering.pages.conclusions import key_metrics
from mljournal.rendering.pages.kit import Links, PageKit
from mljournal.rendering.plots import PlotJob, panels, start_plots

_rendered: Store[RenderedEntry] = Store("rendered", limit=50_000)  # entry Markdown -> its render, in this process
RENDER_VERSION = 5  # bump when rendering changes what the same Markdown gives
RENDERED_FILE = "rendered.pickle"


def renderer_versions() -> tuple:
    """Markdown and its extensions' versions: an upgrade may render the same text differently."""
    from importlib import metadata

    found = []
    for name in ("markdown", "pymdown-extensions", "pygments", "mljournal"):
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(found)


def _load_rendered(cache_dir: Path, setup: str) -> dict[tuple, RenderedEntry]:
    """The last build's renders, if they were made with the same set-up."""
    found = read_pickle(cache_dir / RENDERED_FILE)
    return found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == setup else {}


@dataclass
class SiteAsset:
    dest_uri: str  # where it goes in the site
    source: Path  # the file to copy
    plot_of: str | None = None  # the model it is drawn from (a plot, a compare data file)


@dataclass(frozen=True)
class SiteFile:
    dest_uri: str  # where it goes in the site
    content: bytes  # made by the journal: the exports, the feed


@dataclass
class RenderedSite:
    pages: list[SitePage]
    assets: list[SiteAsset]
    diagnostics: list[Diagnostic]
    # entry key -> a digest of its HTML and of what each of its links resolved to: an entry
    # whose digest differs from an earlier render's looks different on every page it is on
    bodies: dict[str, str] = field(default_factory=dict)
    files: list[SiteFile] = field(default_factory=list)


@dataclass(frozen=True)
class RenderOptions:
    project_dir: Path
    directory_urls: bool = True
    markdown_extensions: tuple = ()
    markdown_configs: dict = field(default_factory=dict)
    # Links name the page's source file ("models/a.md"), relative to the linking page's own
    # source, for an engine that turns them into URLs itself (Zensical); else they are URLs.
    link_sources: bool = False
    site_name: str = ""
    site_url: str | None = None  # where the site is published: the feed needs it
    site_author: str = ""


def render_site(
    index: JournalIndex, options: RenderOptions, models: set[str] | None = None, tags: set[str] | None = None,
    months: set[str] | None = None,
) -> RenderedSite:
    """Every page, file and problem of the site. With `models` / `tags` / `months`, the pages
    of other models, tags and timeline months are left out (html None): `journal serve` keeps
    what it has of them."""
    settings = index.settings
    diagnostics: list[Diagnostic] = []
    theme = resources.files("mljournal.theme")

    def page_url(source: str) -> str:
        return source if options.link_sources else page_path(source, options.directory_urls)

    # 1. Where everything will be.
    month_pages = timeline.month_pages(index.entries, settings.timeline_page_size)
    entry_page = {entry.key: page_url(page.source) for page in month_pages for entry in page.entries}
    links = Links(
        model=lambda m: page_url(routes.MODEL.source(model=m)),
        entry=lambda en: entry_page[en.key],
        tag=lambda slug: page_url(routes.TAG.source(slug=slug)),
        timeline=page_url(routes.TIMELINE.source()),
        models=page_url(routes.LINEAGE.source()),
        tags=page_url(routes.TAGS.source()),
        home=page_url(routes.CONCLUSIONS.source()),
        compare=page_path(routes.COMPARE.source(), options.directory_urls),  # a URL always: links add ?m=
    )
    # 2. Screenshots and their thumbnails; plots, drawn beside the rest of the build.
    assets, screenshots, targets = _screenshots(index, options, diagnostics)
    pending = start_plots(settings.cache_dir, _plot_jobs(index, models), settings.plot_format)
    plots: dict[str, PlotImage] | None = None

    def drawn() -> dict[str, PlotImage]:
        nonlocal plots
        if plots is None:
            plots = {}
            for model_id, plot in pending.result().items():
                dest = f"assets/plots/{plot.path.name}"
                assets.append(SiteAsset(dest, plot.path, plot_of=model_id))
                narrow = f"assets/plots/{plot.narrow.name}" if plot.narrow else None
                if plot.narrow:
                    assets.append(SiteAsset(narrow, plot.narrow, plot_of=model_id))
                plots[model_id] = PlotImage(dest, plot.width, plot.height, plot.metrics, plot.parent_overlaid,
                                            narrow, plot.narrow_width, plot.narrow_height)
        return plots

    def wants(route: routes.Route, key: str) -> bool:
        chosen = {"model": models, "tag": tags, "month": months}.get(route.follows or "")
        return chosen is None or key in chosen

    try:
        # 3. Entry bodies, rendered once and shown on every page they belong to.
        bodies = EntryBodies(index, options, links, targets, page_url)
        entry_html = {entry.key: bodies.body(entry, diagnostics) for entry in index.entries}
        # 4. Pages, kind by kind; the compare page's data (a file per model) when it asks,
        # after the other pages have rendered the texts it shares with them.
        compare_site = compare_data.Site(options.directory_urls, page_url(routes.COMPARE.source()))
        data: dict[str, compare_data.DataFile] = {}

        def data_files() -> dict[str, str]:
            if not data:
                data.update(compare_data.data_files(index, links, bodies.section, screenshots, compare_site, models))
                assets.extend(SiteAsset(file.dest_uri, file.path, plot_of=model) for model, file in data.items())
            return {model: file.dest_uri for model, file in data.items()}

        ctx = Context(index, PageKit(index, links, entry_html), bodies.section, page_url, screenshots, drawn, wants,
                      month_pages, key_metrics(index), data_files, compare_site)
        site = [page for kind in KINDS for page in kind.pages(ctx)]
        data_files()
        assets.extend(SiteAsset(path, Path(str(theme.joinpath(path)))) for path in compare.SHIPPED)
        files = _files(ctx, options, diagnostics)
    finally:
        drawn()  # also when rendering failed: the worker is never left behind
    bodies.save()
    return RenderedSite(site, _unique_assets(assets), diagnostics, bodies.digests, files)


def _files(ctx: Context, options: RenderOptions, diagnostics: list[Diagnostic]) -> list[SiteFile]:
    """The conclusion table as CSV and JSON, and the Atom feed (which needs site_url)."""
    index, table = ctx.index, ctx.key_metrics
    files = [SiteFile(routes.CONCLUSIONS_CSV, exports.conclusions_csv(index, table)),
             SiteFile(routes.CONCLUSIONS_JSON, exports.conclusions_json(index, table))]
    if options.site_url:
        files.append(SiteFile(routes.FEED, feed.atom(index, ctx.kit, options.site_name, options.site_url, routes.FEED,
                                                     options.site_author)))
    else:
        diagnostics.append(Diagnostic("no Atom feed: set site_url in mkdocs.yml to the address the site is published "
                                      "at (for GitHub Pages, https://NAME.github.io/REPO/), and feed.xml is written"))
    return files


def _screenshots(index: JournalIndex, options: RenderOptions, diagnostics: list[Diagnostic]):
    """(assets to publish, screenshots by model, link targets by journal path) of every run."""
    settings = index.settings
    images = ImageStore(settings.cache_dir)
    assets: list[SiteAsset] = []
    shots: dict[str, list[Screenshot]] = {}
    targets: dict[str, Target] = {}
    for model_id, model in index.models.items():
        run = model.run
        if run is None:
            continue
        for shot in run.screenshots:
            relative = shot.name
            source = shot.source or images.extracted(shot.data or b"", relative)
            shown = shown_path(shot.source, options.project_dir) if shot.source else f"{shown_path(run.path, options.project_dir)}/{relative}"
            picture = images.picture(source, shown, diagnostics, shot.stamp if shot.source else None)
            if picture is None:
                continue
            dest = f"{settings.runs_folder}/{model_id}/{relative}"
            assets.append(SiteAsset(dest, picture.source))  # the file itself, or its sanitised copy (SVG)
            thumb = dest
            if picture.thumb != picture.source:
                thumb = f"assets/thumbs/{picture.thumb.name}"
                assets.append(SiteAsset(thumb, picture.thumb))
            targets[dest] = Target(dest, picture, thumb)
            shots.setdefault(model_id, []).append(
                Screenshot(shot.caption or relative, dest, thumb, picture.thumb_width, picture.thumb_height,
                           _is_strip(picture.width, picture.height)))
    images.save()
    return assets, shots, targets


STRIP_HEIGHT = 4  # images this low (or 40 times as wide as high) are weight pictures, shown apart


def _is_strip(width: int | None, height: int | None) -> bool:
    return bool(width and height and (height <= STRIP_HEIGHT or width >= 40 * height))


def _plot_jobs(index: JournalIndex, models: set[str] | None) -> list[PlotJob]:
    """A plot for each model with metrics (whose page is rendered this time): its series, and
    its parent's by this model's names for them."""
    jobs = []
    groups = index.metric_groups
    for model_id, model in index.models.items():
        if models is not None and model_id not in models:
            continue
        plotted = panels(model.run.metrics, index.settings.metric_goals) if model.run else {}
        if plotted:
            parent_run = index.models[model.parent].run if model.parent and model.parent_known else None
            parent = None
            if parent_run and parent_run.metrics:
                matched = {m: found[1] for m in plotted
                           if (found := find_metric(parent_run.metrics, m, groups)) is not None}
                parent = (model.parent, matched) if matched else None
            jobs.append(PlotJob(model_id, plotted, parent))
    return jobs


@dataclass(frozen=True)
class RenderedEntry:
    html: Markup
    diagnostics: tuple[Diagnostic, ...]
    links: tuple[tuple[str, str], ...]  # (journal path, what it resolved to) for each link it has
    digest: str = ""  # of the HTML and the links: what changes.affected compares

    def __post_init__(self) -> None:
        if not self.digest:
            content = hashlib.sha1(self.html.encode("utf-8", "surrogatepass"))
            content.update(repr(self.links).encode("utf-8", "surrogatepass"))
            object.__setattr__(self, "digest", content.hexdigest())


class EntryBodies:
    """Entry Markdown as HTML. An entry's HTML depends on its text, the models it mentions,
    the Markdown set-up, and what each of its links resolved to. Renders are kept, in this
    process (`journal serve`) and on disk, with the resolutions they used: one is reused only
    while every link it has still resolves the same way, so adding an entry re-renders only
    what links to it."""

    def __init__(self, index: JournalIndex, options: RenderOptions, links: Links, targets: dict[str, Target],
                 page_url: Callable[[str], str]) -> None:
        settings = self.settings = index.settings
        self.index, self.links, self.targets, self.page_url = index, links, targets, page_url
        self.entries_by_path = {f"{settings.entries_folder}/{en.key}.md": en for en in index.entries}
        self.used: list[tuple[str, str]] = []
        self.renderer = EntryRenderer(list(options.markdown_extensions), dict(options.markdown_configs), links.model,
                                      self._recorded, settings.raw_html)
        self.linkable = {entry.key: index.linked(entry) for entry in index.entries}
        self.setup = hashlib.sha256(repr((
            RENDER_VERSION, renderer_versions(), options.directory_urls, options.link_sources, settings.raw_html,
            str(settings.journal_dir), settings.entries_folder, settings.runs_folder,
            repr(options.markdown_extensions), repr(sorted(options.markdown_configs.items())),
        )).encode()).hexdigest()
        self.stored = _load_rendered(settings.cache_dir, self.setup)
        self.kept: dict[tuple, RenderedEntry] = {}
        self.digests: dict[str, str] = {}
        self._resolutions: dict[str, str] = {}

    def resolve(self, path: str) -> Target | str:
        """Where a relative link of an entry (as a journal path) leads, or what is wrong with it."""
        settings, index = self.settings, self.index
        if path in self.targets:
            return self.targets[path]
        if path in self.entries_by_path:
            found = self.entries_by_path[path]
            return Target(self.links.entry(found), fragment=found.anchor)
        runs_prefix = settings.runs_folder + "/"
        if path.startswith(runs_prefix):
            model_id, _, rest = path[len(runs_prefix):].partition("/")
            if model_id in index.models and not rest.strip("/"):
                return Target(self.links.model(model_id))
            if (settings.journal_dir / path).is_file():
                return "points into a run folder, and only screenshots are published from run folders"
            return "points to a missing file"
        full = settings.journal_dir / path
        if full.is_file():
            return Target(self.page_url(path) if path.endswith(".md") else path)
        if full.is_dir():
            return "points to a folder"
        return "points to a missing file"

    def _recorded(self, path: str) -> Target | str:
        result = self.resolve(path)
        self.used.append((path, self.resolution(path)))
        return result

    def resolution(self, path: str) -> str:
        """`resolve(path)` as text, to compare with what a kept render's link resolved to;
        worked out once a render (thousands of links lead to a few hundred screenshots)."""
        found = self._resolutions.get(path)
        if found is None:
            found = self._resolutions[path] = repr(self.resolve(path))
        return found

    def render(self, entry: Entry, text: str) -> RenderedEntry:
        key = (self.setup, text, entry.key, entry.source, entry.body_line, tuple(self.linkable[entry.key]))
        found = _rendered.get(key) or self.stored.get(key)
        if found is not None and any(self.resolution(path) != seen for path, seen in found.links):
            found = None
        if found is None:
            self.used.clear()
            context = _context(entry, self.settings.entries_folder, self.linkable[entry.key])
            found = RenderedEntry(Markup(self.renderer.render(text, context)), tuple(context.diagnostics),
                                  tuple(self.used))
        _rendered.put(key, found)
        self.kept[key] = found
        return found

    def body(self, entry: Entry, diagnostics: list[Diagnostic]) -> Markup:
        found = self.render(entry, entry.body)
        diagnostics.extend(found.diagnostics)
        self.digests[entry.key] = found.digest
        return found.html

    def section(self, entry: Entry, text: str) -> Markup:
        """A section again, for a table or a card; its link problems were reported with the body."""
        return self.render(entry, text).html

    def save(self) -> None:
        """Keep the renders for the next build: those used this time, and the earlier ones of
        texts still in an entry (a section on a page not rendered this time)."""
        bodies = {entry.key: entry.body for entry in self.index.entries}
        kept = {**{key: found for key, found in self.stored.items()
                   if key[2] in bodies and key[1] in bodies[key[2]]}, **self.kept}
        if kept.keys() != self.stored.keys() or any(self.stored[key] is not found for key, found in kept.items()):
            write_pickle(self.settings.cache_dir / RENDERED_FILE, (self.setup, kept))


def _context(entry: Entry, entries_folder: str, mentions: list[str]) -> RenderContext:
    folder = f"{entries_folder}/{entry.key}".rsplit("/", 1)[0]
    return RenderContext(
        anchor=entry.anchor, source_dir=folder, mentions=mentions, source=entry.source, body_line=entry.body_line
    )


def _unique_assets(assets: list[SiteAsset]) -> list[SiteAsset]:
    seen: dict[str, SiteAsset] = {}
    for asset in assets:
        seen.setdefault(asset.dest_uri, asset)
    return list(seen.values())
