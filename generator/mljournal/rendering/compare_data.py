"""The compare page's data: one JSON file per model, which the compare page fetches for the
models a reader chose and no other page loads.

A file holds what the compare page lines up: the model's header (status, parent, dates,
tags), its latest hypothesis and conclusion (as rendered on its page, corrections named),
its curves (each series reduced to a min/max envelope of at most 2 x BUCKETS points, so
spikes stay visible, values to 6 significant digits, steps as differences), the last and best value of each
metric, its parameters, result tables, code excerpts and screenshots.

Files are named by the hash of what they hold and kept in the cache (`ContentStore`), so an
unchanged model costs a hash at the next build, and a browser may cache a file forever.
URLs inside a file are relative to the compare page, the one page that reads it; strings
are JSON with `<`, `>` and `&` escaped, so a file is inert wherever its text ends up.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from mljournal.cache import ContentStore, Store
from mljournal.index import JournalIndex, Model
from mljournal.reading.entries import Entry
from mljournal.reading.metrics import Series
from mljournal.reading.runs import best, goal_of, last
from mljournal.rendering import routes
from mljournal.rendering.html import ROOT, page_path, raw_url, relative_root, when
from mljournal.rendering.plots import envelope, worth_a_panel
from mljournal.rendering.images import MAX_SHOTS
from mljournal.rendering.run_html import MAX_PARAMS, excerpts, results_html

if TYPE_CHECKING:  # pragma: no cover
    from mljournal.rendering.pages.kit import Links, Screenshot

DATA_VERSION = b"compare-2"
BUCKETS = 200  # per series: at most 400 points, a min and a max for each bucket of steps
_SOURCE_LINK = re.compile(re.escape(ROOT) + r"([^\"'#?\s]*\.md)")


@dataclass(frozen=True)
class DataFile:
    dest_uri: str  # where it goes in the site
    path: Path  # the file in the cache


@dataclass(frozen=True)
class Site:
    """How URLs are written: the engine's URL style, and where the compare page is."""

    directory_urls: bool
    page_url: str  # the compare page's URL ("compare/"), or its source for engines that link sources

    def resolve(self, text: str) -> str:
        """Site-root URLs (and page sources, for engines that turn those into URLs themselves:
        a JSON file is not a page they read) as URLs relative to the compare page."""
        text = _SOURCE_LINK.sub(lambda m: ROOT + page_path(m.group(1), self.directory_urls), text)
        return text.replace(ROOT, relative_root(self.page_url))


def as_json(value: object, site: Site) -> str:
    """JSON whose text is safe inside HTML too, its URLs resolved for the compare page."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = site.resolve(text)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# The last file of each model in this process (`journal serve`), by (cache folder, model):
# the cache's one in-memory store, so `cache.clear_memory()` forgets it too.
_last: Store[DataFile] = Store("compare-data")


def remember(cache_dir: Path, files: dict[str, DataFile]) -> None:
    """The data files of an earlier render (another process's), by model: those of models not
    rendered again are taken as they are."""
    for model_id, file in files.items():
        _last.put((str(cache_dir), model_id), file)


def data_files(index: JournalIndex, links: Links, section_html: Callable[[Entry, str], Markup],
               screenshots: dict[str, list[Screenshot]], site: Site,
               models: set[str] | None = None) -> dict[str, DataFile]:
    """A data file for every model. With `models` (a partial render), the files of other
    models are those of the last render (`remember`): they did not change."""
    store = ContentStore(index.settings.cache_dir, "compare")
    cache = str(index.settings.cache_dir)
    found: dict[str, DataFile] = {}
    for model_id, model in index.models.items():
        remembered = _last.get((cache, model_id))
        if models is not None and model_id not in models and remembered is not None:
            found[model_id] = remembered
            continue
        header = as_json(_header(index, links, section_html, screenshots.get(model_id, []), model), site)
        digest = hashlib.sha256(DATA_VERSION)
        digest.update(repr(sorted(vars(site).items())).encode())
        digest.update(header.encode())
        run = model.run
        names = sorted(run.metrics) if run else []
        for name in names:
            series = run.metrics[name]
            digest.update(name.encode() + b"\0" + series.steps.tobytes() + b"\0" + series.values.tobytes() + b"\1")
        path = store.path(digest, ".json")
        if not path.exists():
            metrics = ",".join(_metric(name, run.metrics[name], run.metric_tool.get(name, ""), index, site)
                               for name in names)
            store.put_bytes(digest, ".json", f'{header[:-1]},"metrics":[{metrics}]}}'.encode("utf-8"))
        file = DataFile(f"{routes.COMPARE_DATA}/{model_id}-{path.stem[:12]}.json", path)
        _last.put((cache, model_id), file)
        found[model_id] = file
    return found


def _header(index: JournalIndex, links: Links, section_html: Callable[[Entry, str], Markup],
            shots: list[Screenshot], model: Model) -> dict:
    """Everything of a model but its curves: small, and what its file's name hashes."""
    text = {}
    for name in ("hypothesis", "conclusion"):
        latest = model.latest(name)
        if latest is None:
            continue
        entry, section = latest
        text[name] = {
            "html": str(section_html(entry, section.text)),
            "date": when(entry.date, False),
            "url": raw_url(links.entry(entry), entry.anchor),
            "corrected": [{"url": raw_url(links.entry(fix), fix.anchor), "date": when(fix.date, False)}
                          for fix in index.corrections.get(entry.key, [])],
        }
    run = model.run
    return {
        "id": model.id,
        "url": raw_url(links.model(model.id)),
        "status": model.status or "",
        "buggy": model.status_key == "buggy",  # its numbers are not crowned
        "parent": model.parent or "",
        "parent_url": raw_url(links.model(model.parent)) if model.parent and model.parent_known else "",
        "first": when(model.first, False) if model.first else "",
        "last": when(model.last, False) if model.last else "",
        "tags": list(model.tags),
        "text": text,
        "has_run": run is not None,
        "params": dict(sorted(run.params.items())[:MAX_PARAMS]) if run else {},
        "tables": results_html(run) if run else "",
        "excerpts": [{"name": name, "origin": origin, "text": code}
                     for name, (code, origin) in sorted(excerpts(run).items())] if run else [],
        "screenshots": [{"name": shot.name, "url": raw_url(shot.url), "thumb": raw_url(shot.thumb_url),
                         "width": shot.width, "height": shot.height} for shot in shots[:MAX_SHOTS]],
    }


def _metric(name: str, series: Series, tool: str, index: JournalIndex, site: Site) -> str:
    """A metric as JSON: its facts, then its envelope, steps as differences from the step
    before (small numbers: a third of the bytes) and values to 6 significant digits, null
    for gaps. Written as text: formatting the numbers is most of the cost of a file."""
    goal = goal_of(name, index.settings.metric_goals)
    xs, ys = envelope(series.steps, series.values, BUCKETS)
    final, top = last(series), best(series, goal)
    group = index.metric_groups.get(name)
    facts = as_json({
        "name": name,
        "key": group[0] if group else name,  # the same quantity under another tool's name
        "tool": tool,
        "goal": goal,
        "points": series.points(),
        "count": len(series.values),
        "last": [final[0], _value(final[1])] if final else None,
        "best": [top[0], _value(top[1])] if top else None,
        "plot": worth_a_panel(name, series),  # as on the model page
    }, site)
    steps, previous = [], 0
    for step in xs:
        steps.append(str(int(step) - previous))
        previous = int(step)
    values = ",".join(["%.6g" % y if math.isfinite(y) else "null" for y in ys])
    return f'{facts[:-1]},"step_deltas":[{",".join(steps)}],"values":[{values}]}}'


def _value(value: float) -> float | str:
    """A last or best value exactly, infinities as text (JSON has no infinity)."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value
