"""Render the whole journal: the pages, the files to publish, and what went wrong.

`render_site` is the one entry point a site engine calls; it returns plain data
(`RenderedSite`) for the engine to write. Nothing from a run folder is published but
its screenshots (and thumbnails of them): checkpoints stay where they are.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from mljournal.atomic import replacing
from mljournal.errors import Diagnostic
from mljournal.ids import find_mentions
from mljournal.index import JournalIndex
from mljournal.reading.entries import Entry
from mljournal.reading.runs import find_metric
from mljournal.reading.walk import shown_path
from mljournal.rendering import pages
from mljournal.rendering.html import page_path
from mljournal.rendering.images import ImageStore
from mljournal.rendering.markdown import EntryRenderer, RenderContext, Target
from mljournal.rendering.plots import PlotJob, start_plots
from mljournal.settings import same_metric_groups


TAG_PAGE_SIZE = 150  # entries on one page of a tag, one line each
_rendered: dict[tuple, tuple] = {}  # entry Markdown -> (HTML, diagnostics, resolutions used), in this process
RENDER_VERSION = 1  # bump when rendering changes what the same Markdown gives
RENDERED_FILE = "rendered.pickle"


def _versions() -> tuple:
    """Markdown and its extensions' versions: an upgrade may render the same text differently."""
    from importlib import metadata

    found = []
    for name in ("markdown", "pymdown-extensions", "pygments", "mljournal"):
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(found)


def _load_rendered(cache_dir: Path, setup: str) -> dict[tuple, tuple]:
    """The last build's renders, if they were made with the same set-up."""
    try:
        with open(cache_dir / RENDERED_FILE, "rb") as handle:
            found = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError, TypeError):
        return {}
    return found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == setup else {}


def _store_rendered(cache_dir: Path, setup: str, kept: dict[tuple, tuple]) -> None:
    try:
        with replacing(cache_dir / RENDERED_FILE) as partial, open(partial, "wb") as handle:
            pickle.dump((setup, kept), handle, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass  # a read-only cache costs time next build, never the site


@dataclass
class SitePage:
    src_uri: str  # as if it were a file in the docs folder: "models/tcn-7.md"
    url: str  # site-relative: "models/tcn-7/"
    title: str
    html: str | None  # URLs start with html.ROOT; None: not rendered this time (unchanged)
    toc: list[pages.TocItem] = field(default_factory=list)
    hide: tuple[str, ...] = ("navigation", "toc")
    searchable: bool = True  # False: a copy of content indexed elsewhere


@dataclass
class SiteAsset:
    dest_uri: str  # where it goes in the site
    source: Path  # the file to copy
    plot_of: str | None = None  # the model whose plot it is


@dataclass
class RenderedSite:
    pages: list[SitePage]
    assets: list[SiteAsset]
    diagnostics: list[Diagnostic]
    rerendered: set[str] = field(default_factory=set)  # entries whose HTML was rendered anew, by key


@dataclass(frozen=True)
class RenderOptions:
    project_dir: Path
    directory_urls: bool = True
    markdown_extensions: tuple = ()
    markdown_configs: dict = field(default_factory=dict)
    # Links name the page's source file ("models/a.md"), relative to the linking page's own
    # source, for an engine that turns them into URLs itself (Zensical); else they are URLs.
    link_sources: bool = False


def render_site(
    index: JournalIndex, options: RenderOptions, models: set[str] | None = None, tags: set[str] | None = None
) -> RenderedSite:
    """Every page, file and problem of the site. With `models` / `tags`, the pages of other
    models and tags are left out (html None): `journal serve` keeps what it has of them."""
    settings = index.settings
    diagnostics: list[Diagnostic] = []
    directory_urls = options.directory_urls

    def page_url(src_uri: str) -> str:
        return src_uri if options.link_sources else page_path(src_uri, directory_urls)

    # 1. Where everything will be.
    timeline_pages = _paginate(index.entries, settings.timeline_page_size)
    entry_page: dict[str, str] = {}
    for src_uri, _month, _number, chunk in timeline_pages:
        for entry in chunk:
            entry_page[entry.key] = page_url(src_uri)
    links = pages.Links(
        model=lambda m: page_url(f"models/{m}.md"),
        entry=lambda en: entry_page[en.key],
        tag=lambda slug: page_url(f"tags/{slug}.md"),
        timeline=page_url("timeline/index.md"),
        models=page_url("models/index.md"),
        tags=page_url("tags/index.md"),
    )

    # 2. Screenshots and their thumbnails.
    images = ImageStore(settings.cache_dir)
    assets: list[SiteAsset] = []
    shots: dict[str, list[tuple[str, str, str, int | None, int | None]]] = {}
    targets: dict[str, Target] = {}
    for model_id, model in index.models.items():
        run = model.run
        if run is None:
            continue
        for shot in run.screenshots:
            relative = shot.name
            source = shot.source or images.extracted(shot.data or b"", relative)
            shown = shown_path(shot.source, options.project_dir) if shot.source else f"{shown_path(run.path, options.project_dir)}/{relative}"
            picture = images.picture(source, shown, diagnostics)
            if picture is None:
                continue
            dest = f"{settings.runs_folder}/{model_id}/{relative}"
            assets.append(SiteAsset(dest, source))
            thumb = dest
            if picture.thumb != source:
                thumb = f"assets/thumbs/{picture.thumb.name}"
                assets.append(SiteAsset(thumb, picture.thumb))
            targets[dest] = Target(dest, picture, thumb)
            shots.setdefault(model_id, []).append((shot.caption or relative, dest, thumb, picture.thumb_width, picture.thumb_height))

    # Plots first: they are drawn beside the rest of the build.
    jobs = []
    groups = same_metric_groups(settings.metric_aliases)
    for model_id, model in index.models.items():
        if models is not None and model_id not in models:
            continue  # its page is not rendered this time, nor its plot
        if model.run and model.run.metrics:
            parent_run = index.models[model.parent].run if model.parent and model.parent_known else None
            parent = None
            if parent_run and parent_run.metrics:  # the parent's series by this model's names for them
                matched = {m: found[1] for m in model.run.metrics
                           if (found := find_metric(parent_run.metrics, m, groups)) is not None}
                parent = (model.parent, matched) if matched else None
            jobs.append(PlotJob(model_id, model.run.metrics, parent))
    pending = start_plots(settings.cache_dir, jobs, settings.plot_format)
    try:

        # 3. Entry bodies, rendered once and shown on every page they belong to.
        entries_by_path = {f"{settings.entries_folder}/{en.key}.md": en for en in index.entries}
        runs_prefix = settings.runs_folder + "/"

        def resolve(path: str) -> Target | str:
            if path in targets:
                return targets[path]
            if path in entries_by_path:
                found = entries_by_path[path]
                return Target(links.entry(found), fragment=found.anchor)
            if path.startswith(runs_prefix):
                model_id, _, rest = path[len(runs_prefix):].partition("/")
                if model_id in index.models and not rest.strip("/"):
                    return Target(links.model(model_id))
                if (settings.journal_dir / path).is_file():
                    return "points into a run folder, and only screenshots are published from run folders"
                return "points to a missing file"
            full = settings.journal_dir / path
            if full.is_file():
                return Target(page_url(path) if path.endswith(".md") else path)
            if full.is_dir():
                return "points to a folder"
            return "points to a missing file"

        # An entry's HTML depends on its text, the models it mentions, the Markdown set-up, and
        # what each of its links resolved to. Renders are kept, in this process (`journal serve`)
        # and on disk, with the resolutions they used: one is reused only while every link it
        # has still resolves the same way, so adding an entry re-renders only what links to it.
        used: list[tuple[str, str]] = []

        def recorded(path: str) -> Target | str:
            result = resolve(path)
            used.append((path, repr(result)))
            return result

        renderer = EntryRenderer(
            list(options.markdown_extensions), dict(options.markdown_configs), links.model, recorded, settings.raw_html
        )
        known = frozenset(index.models)
        linkable = {entry.key: find_mentions(entry.body, known) for entry in index.entries}
        setup = hashlib.sha256(repr((
            RENDER_VERSION, _versions(), directory_urls, options.link_sources, settings.raw_html, str(settings.journal_dir), settings.entries_folder,
            settings.runs_folder, repr(options.markdown_extensions), repr(sorted(options.markdown_configs.items())),
        )).encode()).hexdigest()
        stored = _load_rendered(settings.cache_dir, setup)
        kept: dict[tuple, tuple] = {}
        rerendered: set[str] = set()
        if len(_rendered) > 50_000:
            _rendered.clear()

        def render(entry: Entry, text: str) -> tuple[str, list[Diagnostic]]:
            key = (setup, text, entry.key, entry.source, entry.body_line, tuple(linkable[entry.key]))
            found = _rendered.get(key) or stored.get(key)
            if found is not None and any(repr(resolve(path)) != seen for path, seen in found[2]):
                found = None
            if found is None:
                rerendered.add(entry.key)
                used.clear()
                context = _context(entry, settings.entries_folder, linkable[entry.key])
                found = (renderer.render(text, context), list(context.diagnostics), tuple(used))
            _rendered[key] = kept[key] = found
            return found[0], found[1]

        entry_html: dict[str, str] = {}
        for entry in index.entries:
            entry_html[entry.key], found = render(entry, entry.body)
            diagnostics.extend(found)

        def section_html(entry: Entry, text: str) -> str:
            """A section again, for a table or a card; its link problems were reported with the body."""
            return render(entry, text)[0]

        kit = pages.PageKit(index, links, entry_html)
        site: list[SitePage] = []

        # 4. Pages.
        ranked = pages.models_by_recency(index)
        size = settings.conclusions_page_size
        chunks = [ranked[start : start + size] for start in range(0, len(ranked), size)] or [[]]
        sources = ["index.md"] + [f"conclusions/{number}.md" for number in range(2, len(chunks) + 1)]
        labels = [(f"{1 + (n - 1) * size}–{min(n * size, len(ranked))}", page_url(src)) for n, src in enumerate(sources, 1)]
        table = pages.key_metrics(index)
        for number, (src, chunk) in enumerate(zip(sources, chunks), start=1):
            title = "Conclusions" if number == 1 else f"Conclusions ({labels[number - 1][0]})"
            html = pages.home_page(kit, section_html, table, chunk, pages.pager(labels, page_url(src), "Conclusion pages"), title,
                                   first_page=number == 1)
            site.append(SitePage(src, page_url(src), title, html, searchable=number == 1))
        pager_items = [(month, number, page_url(src)) for src, month, number, _chunk in timeline_pages]
        newest = timeline_pages[0] if timeline_pages else ("timeline/index.md", "", 1, [])
        first = page_url(newest[0])
        site.append(
            SitePage("timeline/index.md", page_url("timeline/index.md"), "Timeline",
                     pages.timeline_page(kit, "Timeline", newest[3], pages.timeline_pager(pager_items, first),
                                         pages.timeline_steps(pager_items, first), False),
                     searchable=False)
        )
        for src_uri, month, number, chunk in timeline_pages:
            link = page_url(src_uri)
            label = pages.page_label(month, number)
            site.append(SitePage(src_uri, link, f"Timeline {label}",
                                 pages.timeline_page(kit, f"Timeline {label}", chunk, pages.timeline_pager(pager_items, link),
                                                     pages.timeline_steps(pager_items, link), True)))
        site.append(SitePage("models/index.md", page_url("models/index.md"), "Models", pages.models_index_page(kit)))
    finally:
        plots = pending.result()  # also when rendering failed: the worker is never left behind
    for model_id, model in index.models.items():
        plot = plots.get(model_id)
        shown_plot = None
        if plot:
            dest = f"assets/plots/{plot.path.name}"
            assets.append(SiteAsset(dest, plot.path, plot_of=model_id))
            shown_plot = pages.PlotImage(dest, plot.width, plot.height, plot.metrics, plot.parent_overlaid)
        if models is not None and model_id not in models:
            site.append(SitePage(f"models/{model_id}.md", page_url(f"models/{model_id}.md"), model_id, None))
            continue
        html, toc = pages.model_page(kit, model, section_html, shown_plot, shots.get(model_id, []))
        site.append(SitePage(f"models/{model_id}.md", page_url(f"models/{model_id}.md"), model_id, html, toc, ("navigation",)))
    site.append(SitePage("tags/index.md", page_url("tags/index.md"), "Tags", pages.tags_index_page(kit)))
    for slug, tag in index.tags.items():
        newest = sorted(tag.entries, key=lambda en: (en.date, en.key), reverse=True)
        chunks = [newest[start : start + TAG_PAGE_SIZE] for start in range(0, len(newest), TAG_PAGE_SIZE)]
        sources = [f"tags/{slug}.md"] + [f"tags/{slug}/{number}.md" for number in range(2, len(chunks) + 1)]
        labels = [(str(number), page_url(src)) for number, src in enumerate(sources, 1)]
        for (src, chunk), (label, link) in zip(zip(sources, chunks), labels):
            title = f"#{tag.name}" if src == sources[0] else f"#{tag.name} ({label})"
            if tags is not None and slug not in tags:
                site.append(SitePage(src, link, title, None, searchable=False))
                continue
            html = pages.tag_page(kit, tag.name, chunk, len(newest), pages.pager(labels, link, f"Pages of #{tag.name}"))
            site.append(SitePage(src, link, title, html, searchable=False))
    _store_rendered(settings.cache_dir, setup, kept)
    return RenderedSite(site, _unique_assets(assets), diagnostics, rerendered)


def _context(entry: Entry, entries_folder: str, mentions: list[str]) -> RenderContext:
    folder = f"{entries_folder}/{entry.key}".rsplit("/", 1)[0]
    return RenderContext(
        anchor=entry.anchor, source_dir=folder, mentions=mentions, source=entry.source, body_line=entry.body_line
    )


def _paginate(entries: list[Entry], size: int) -> list[tuple[str, str, int, list[Entry]]]:
    """(src_uri, month, page number in it, entries) newest first: one page per month, split
    every `size` entries."""
    months: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda en: (en.date, en.key), reverse=True):
        months.setdefault(entry.date.strftime("%Y-%m"), []).append(entry)
    out = []
    for month, chunk in months.items():
        for number, start in enumerate(range(0, len(chunk), size), start=1):
            src = f"timeline/{month}/index.md" if number == 1 else f"timeline/{month}/{number}.md"
            out.append((src, month, number, chunk[start : start + size]))
    return out


def _unique_assets(assets: list[SiteAsset]) -> list[SiteAsset]:
    seen: dict[str, SiteAsset] = {}
    for asset in assets:
        seen.setdefault(asset.dest_uri, asset)
    return list(seen.values())
