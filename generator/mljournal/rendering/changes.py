"""Which pages an edit can change, and a render of only those, the others taken as they were.

`journal serve` keeps its last render in memory; `journal build` keeps it in the cache
(`PREVIOUS_FILE`), under the set-up it was made with. Both compare an `Outline` of the
journal as it was with one of the journal now (`affected`), render the pages of the models,
tags and timeline months that differ, and every page that follows no model, tag or month
(the conclusion table, the lineage, the compare page, the indexes), and keep the rest.

A model page shows its own entries, the entries that mention it, the corrections of those,
where on the timeline each of them is, its run and its parent's run (the dashed curves, the
code diff), and its parent and children by name: the outline holds just that.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from mljournal.cache import read_pickle, write_pickle
from mljournal.index import JournalIndex
from mljournal.reading.entries import Entry
from mljournal.rendering.pages.timeline import month_pages
from mljournal.rendering import compare_data, routes
from mljournal.rendering.render import RENDER_VERSION, RenderedSite, RenderOptions, SiteAsset, renderer_versions, render_site

PREVIOUS_FILE = "previous-render.pickle"


@dataclass(frozen=True)
class ModelOutline:
    parent: str | None
    children: tuple[str, ...]
    entries: frozenset[str]  # keys of its entries and of the entries that mention it
    run: str | None  # the run folder's signature ("" without one); None: too fresh to tell


@dataclass(frozen=True)
class Outline:
    """What of a journal decides which of its pages an edit changes."""

    entries: dict[str, str]  # entry key -> a digest of everything the entry says
    places: dict[str, tuple[str, str]]  # entry key -> (its timeline month, the page of it it is on)
    models: dict[str, ModelOutline]
    tags: dict[str, frozenset[str]]  # slug -> its entries' keys
    corrections: dict[str, tuple[str, ...]]  # entry key -> the keys of the entries correcting it
    corrected: dict[str, str]  # correcting entry key -> the key of the entry it corrects
    # the journal-wide choices every model's plot and data follow: which metric names are one
    # quantity, and the conclusion table's columns
    metrics: tuple


def outline_of(index: JournalIndex) -> Outline:
    places = {entry.key: (page.month, page.source)
              for page in month_pages(index.entries, index.settings.timeline_page_size) for entry in page.entries}
    models = {
        model_id: ModelOutline(model.parent, tuple(model.children),
                               frozenset(entry.key for entry in model.entries + model.mentions),
                               model.run.signature if model.run else "")
        for model_id, model in index.models.items()
    }
    return Outline({entry.key: _digest(entry) for entry in index.entries}, places, models,
                   {slug: frozenset(entry.key for entry in tag.entries) for slug, tag in index.tags.items()},
                   {key: tuple(fix.key for fix in fixes) for key, fixes in index.corrections.items()},
                   {key: target.key for key, target in index.corrected.items()},
                   (sorted(index.metric_groups.items()), tuple(index.key_metrics)))


def _digest(entry: Entry) -> str:
    """What an entry says (its text, front matter, path, lines), the same in every process:
    what its file was when read, or else every field."""
    return entry.stamp or hashlib.sha1(repr(entry).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Affected:
    entries: set[str]  # the keys of the entries that look different
    models: set[str]
    tags: set[str]
    months: set[str]


def affected(old: Outline, new: Outline, also: set[str] = frozenset()) -> Affected | None:
    """The models, tags and timeline months whose pages the change from `old` to `new` can
    change, with the entries keyed in `also` taken as edited (their HTML differs); None when
    every page must be rendered (a model came or went, the lineage or the journal-wide metric
    choices changed)."""
    if old.metrics != new.metrics or old.models.keys() != new.models.keys() or any(
        (old.models[m].parent, old.models[m].children) != (model.parent, model.children) for m, model in new.models.items()
    ):
        return None
    edited = {key for key in old.entries.keys() | new.entries.keys()
              if old.entries.get(key) != new.entries.get(key) or old.places.get(key) != new.places.get(key)} | also
    for outline in (old, new):  # an entry's card shows what corrects it and what it corrects
        for key in list(edited):
            edited.update(outline.corrections.get(key, ()))
            target = outline.corrected.get(key)
            if target is not None:
                edited.add(target)
    # a month's page shows its entries' cards: an edited one, and those its correction changes
    months = {place[0] for key in edited for place in (old.places.get(key), new.places.get(key)) if place is not None}
    models = {m for outline in (old, new) for m, model in outline.models.items() if not model.entries.isdisjoint(edited)}
    tags = {slug for outline in (old, new) for slug, keys in outline.tags.items() if not keys.isdisjoint(edited)}
    for model_id, model in new.models.items():
        if model.run is None or model.run != old.models[model_id].run:
            models.add(model_id)
            models.update(model.children)  # their pages draw this run beside their own
    return Affected(edited, models, tags, months)


@dataclass
class Rendering:
    """A render of the whole site, with the outline of the journal it was made from."""

    outline: Outline
    site: RenderedSite


def render_changes(previous: Rendering, index: JournalIndex, options: RenderOptions) -> Rendering | None:
    """The site as `render_site` gives it, with only the pages `affected` names rendered and
    the others taken from `previous`; None when every page must be rendered (the set of pages
    is not the same)."""
    outline = outline_of(index)
    found = affected(previous.outline, outline)
    if found is None:
        return None
    compare_data.remember(index.settings.cache_dir, {
        asset.plot_of: compare_data.DataFile(asset.dest_uri, asset.source) for asset in previous.site.assets
        if asset.plot_of is not None and asset.dest_uri.startswith(routes.COMPARE_DATA + "/")})
    rendered = render_site(index, options, models=found.models, tags=found.tags, months=found.months)
    before = previous.site.bodies
    relinked = {key for key, digest in rendered.bodies.items() if before.get(key) != digest} - found.entries
    if relinked:  # entries whose links now resolve differently (a screenshot, an entry linked to): their cards
        found = affected(previous.outline, outline, also=relinked)
        assert found is not None
        rendered = render_site(index, options, models=found.models, tags=found.tags, months=found.months)
    models = found.models
    if [page.src_uri for page in rendered.pages] != [page.src_uri for page in previous.site.pages]:
        return None
    kept = {page.src_uri: page for page in previous.site.pages}
    pages = [page if page.html is not None else kept[page.src_uri] for page in rendered.pages]
    # the plots and compare data of models not rendered this time are as they were
    assets = rendered.assets + [a for a in previous.site.assets if a.plot_of is not None and a.plot_of not in models]
    return Rendering(outline, RenderedSite(pages, assets, rendered.diagnostics, rendered.bodies, rendered.files))


def render_all(index: JournalIndex, options: RenderOptions) -> Rendering:
    return Rendering(outline_of(index), render_site(index, options))


def setup_of(index: JournalIndex, options: RenderOptions) -> str:
    """What every page depends on beyond the journal: the settings, the engine's options and
    the versions of what renders them. A render kept on disk is used only under the same."""
    return hashlib.sha256(repr((RENDER_VERSION, renderer_versions(), options, index.settings)).encode()).hexdigest()


def load_previous(cache_dir: Path, setup: str) -> Rendering | None:
    """The last build's render, if it was made with the same set-up."""
    try:  # megabytes of pages: not held by the cache besides the one who asks
        kept, outline, pages, drawn, diagnostics, bodies, files = read_pickle(cache_dir / PREVIOUS_FILE, remember=False)
    except (TypeError, ValueError):  # none, or made by other code
        return None
    if kept != setup or not isinstance(outline, Outline):
        return None
    assets = [SiteAsset(dest, Path(source), model) for dest, source, model in drawn]
    return Rendering(outline, RenderedSite(pages, assets, diagnostics, bodies, files))


def store_previous(cache_dir: Path, setup: str, rendering: Rendering) -> None:
    """Keep `rendering` for the next build. All it needs of the assets are the plots and data
    files drawn from each model (the rest are listed anew every time), kept as plain text
    (thousands of paths are slow to unpickle)."""
    site = rendering.site
    drawn = [(asset.dest_uri, str(asset.source), asset.plot_of) for asset in site.assets if asset.plot_of is not None]
    write_pickle(cache_dir / PREVIOUS_FILE,
                 (setup, rendering.outline, site.pages, drawn, site.diagnostics, site.bodies, site.files), remember=False)


def render_reusing(index: JournalIndex, options: RenderOptions) -> Rendering:
    """The whole site, as `render_site` gives it; the pages that nothing changed since the last
    render (in this process or an earlier one) are taken from it, and this render is kept."""
    cache_dir = index.settings.cache_dir
    setup = setup_of(index, options)
    previous = load_previous(cache_dir, setup)
    rendering = (render_changes(previous, index, options) if previous else None) or render_all(index, options)
    store_previous(cache_dir, setup, rendering)
    return rendering
