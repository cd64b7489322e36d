"""Run folders: journal/runs/<model-id>/, written by training processes, read in place.

A run folder's files are listed once, by name; the formats in `formats.formats()` claim the
files each of them reads (the journal's own, Hugging Face Trainer, TensorBoard, Lightning,
Keras, MLflow, DVCLive, Sacred), and each claim is read into a `Part`, cached by the files'
size, mtime and inode. Images anywhere in the folder are screenshots, and so are images a
tool wrote inside its logs. Nothing else is opened: checkpoints and optimizer states are
never read.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import NamedTuple

from mljournal.cache import is_racy
from mljournal.errors import Diagnostic, UnsafeIdError
from mljournal.ids import check_model_id
from mljournal.reading.cache import PartCache
from mljournal.reading.formats import META_KEYS, TOOL_FOLDERS, TOOL_LINKS, Format, Part, formats
from mljournal.reading.metrics import Series
from mljournal.reading.names import goal_of  # noqa: F401 - where the pages look for it
from mljournal.reading.walk import shown_path, walk_files

SCREENSHOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")


@dataclass
class RunMeta:
    command: str | None = None
    commit: str | None = None
    params: dict = field(default_factory=dict)
    started: str | None = None
    finished: str | None = None
    status: str | None = None
    error: str | None = None  # JSON: {"type", "message", "traceback"} of a failed run
    parent: str | None = None  # the model this run's model changes, as `start(parent=)` says
    attempts: str | None = None  # JSON: a list of {started, finished, status, …, kept_in} when there were several
    param_changes: str | None = None  # JSON: [{name, before, after, attempt}] of a resumed run
    other: dict = field(default_factory=dict)


@dataclass
class Screenshot:
    name: str  # relative to the run folder, posix; where it goes under the model's run folder in the site
    source: Path | None = None  # an image file in the run folder
    data: bytes | None = None  # or an image taken out of a tool's log (a TensorBoard event)
    caption: str = ""
    stamp: tuple = ()  # the file's size, mtime and inode when it was listed


@dataclass
class Run:
    model_id: str
    path: Path
    metrics: dict[str, Series]
    parts: list[Part]  # what each tool wrote, in claiming order
    screenshots: list[Screenshot]
    meta: RunMeta | None
    metric_tool: dict[str, str] = field(default_factory=dict)  # metric -> the tool it comes from
    not_read: str = ""  # why a folder with files gave no metrics, for its page
    # What the folder is now (its files' names, and the cache keys of what was read and of the
    # screenshots), the same in every process; None when a file is too fresh to tell.
    signature: str | None = None

    @property
    def sources(self) -> list[str]:
        """Every file read, relative to the run folder."""
        return [name for part in self.parts for name in part.files]

    @property
    def params(self) -> dict[str, str]:
        """Every tool's parameters in one mapping (flattened names); the first tool to name one wins."""
        merged: dict[str, str] = {}
        for part in self.parts:
            for name, value in part.params.items():
                merged.setdefault(name, value)
        return merged


@dataclass(frozen=True)
class ParamChange:
    name: str
    before: str | None  # None: the parent has no such parameter
    after: str | None  # None: this run has none


def changed_params(run: Run | None, parent: Run | None) -> list[ParamChange]:
    """The parameters whose values differ between a run and its parent's, by name; nothing
    when either has no parameters at all (a run without them says nothing of what changed)."""
    ours, theirs = (run.params if run else {}), (parent.params if parent else {})
    if not ours or not theirs:
        return []
    return [ParamChange(name, theirs.get(name), ours.get(name)) for name in sorted(ours.keys() | theirs.keys())
            if ours.get(name) != theirs.get(name)]


class RunsRead(NamedTuple):
    runs: dict[str, Run]  # by model ID
    diagnostics: list[Diagnostic]  # what was skipped
    # every file read had been left alone for AT_REST_SECONDS: a log's unended last line
    # counts once it is, so only a change to a file can change what a later read gives
    at_rest: bool
    read_at: float  # time.time() when read


def read_runs(runs_dir: Path, shown_relative_to: Path, cache_dir: Path | None = None) -> RunsRead:
    """Every run folder under `runs_dir`, by model ID, and what was skipped. With a
    `cache_dir`, files that have not changed since the last read are not parsed again."""
    cache = PartCache(cache_dir)
    runs: dict[str, Run] = {}
    diagnostics: list[Diagnostic] = []
    if not runs_dir.is_dir():
        return RunsRead(runs, diagnostics, True, time.time())
    folders: list[tuple[str, Path]] = []
    for folder in sorted(runs_dir.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        shown = shown_path(folder, shown_relative_to)
        if folder.is_symlink():
            diagnostics.append(Diagnostic("skipped: run folders cannot be symbolic links", shown))
            continue
        try:
            model_id = check_model_id(folder.name)
        except UnsafeIdError as error:
            diagnostics.append(Diagnostic(f"skipped: the folder name is not a model ID: {error.message}", shown))
            continue
        folders.append((model_id, folder))
    listings = {folder: _listing(folder, shown_relative_to) for _, folder in folders}  # each folder walked once
    claims = {folder: _claims_of(folder, listing[0], cache) for folder, listing in listings.items()}  # and claimed once
    _prefetch(claims, shown_relative_to, cache)
    for model_id, folder in folders:
        run, found = read_run(model_id, folder, shown_relative_to, cache, listings[folder], claims[folder])
        runs[model_id] = run
        diagnostics.extend(found)
    return RunsRead(runs, diagnostics, not cache.moving, time.time())


PARALLEL_AT = 16  # uncached file groups from which reading is spread over the cores


def _prefetch(folders: dict[Path, list[Claimed]], base: Path, cache: PartCache) -> None:
    """Read the file groups the cache lacks in a pool of processes, one per core, and put
    them in the cache, so a cold build reads its runs in parallel. Groups whose files are
    too fresh to cache are left to `read_run`, as are any that fail here."""
    from mljournal.workers import can_spawn

    cores = os.cpu_count() or 1
    if not can_spawn():
        return
    pending = []
    for folder, claims in folders.items():
        for form, group, key in claims:
            if key is not None and not cache.has(key):
                pending.append((key, folder, group, form))
    if len(pending) < PARALLEL_AT:
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    try:
        with ProcessPoolExecutor(max_workers=cores, mp_context=get_context("spawn")) as pool:
            jobs = [(folder, group, form.name, base) for _, folder, group, form in pending]
            for (key, folder, group, form), found in zip(pending, pool.map(_read_group, jobs, chunksize=4)):
                if found is not None and cache.key(folder, group, form) == key:  # unchanged while it was read
                    cache.put(key, found, folder, form)
    except (BrokenProcessPool, OSError, RuntimeError):
        pass  # no worker processes here (an embedded interpreter, say): read_run reads them in turn


def _read_group(job: tuple[Path, list[str], str, Path]):
    folder, group, name, base = job
    form = next(form for form in formats() if form.name == name)
    try:
        return form.read(folder, group, lambda relative: shown_path(folder / relative, base))
    except Exception:  # noqa: BLE001 - read again by read_run, which reports it
        return None


_KEPT_ASIDE = re.compile(r"attempts/\d+/")  # recording/run.py's ASIDE


def _listing(folder: Path, base: Path) -> tuple[list[str], list[Screenshot], list[Diagnostic]]:
    """A run folder's files (relative, posix), its image files, and what was skipped."""
    diagnostics: list[Diagnostic] = []
    files: list[str] = []
    images: list[Screenshot] = []
    for path, skipped in walk_files(folder, hidden=TOOL_FOLDERS):
        if skipped:
            if any(fnmatchcase(path.relative_to(folder).as_posix(), link) for link in TOOL_LINKS):
                continue
            diagnostics.append(Diagnostic(skipped, shown_path(path, base)))
            continue
        relative = path.relative_to(folder).as_posix()
        if _KEPT_ASIDE.match(relative):  # an earlier attempt the recorder moved aside: run.json lists it
            continue
        try:
            relative.encode("utf-8")
        except UnicodeEncodeError:
            diagnostics.append(Diagnostic("skipped: the file name is not valid UTF-8", shown_path(path, base)))
            continue
        files.append(relative)
        if relative.lower().endswith(SCREENSHOT_SUFFIXES):
            try:
                stat = path.stat()
                stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            except OSError:
                stamp = ()
            images.append(Screenshot(relative, source=path, stamp=stamp))
    return files, images, diagnostics


class Claimed(NamedTuple):
    form: Format
    files: list[str]  # the group of files it reads
    key: str | None  # their cache key (PartCache.key)


def _claims_of(folder: Path, files: list[str], cache: PartCache) -> list[Claimed]:
    return [Claimed(form, group, cache.key(folder, group, form)) for form, group in _claims(files)]


def _claims(files: list[str]):
    """(format, group of files) for each group a format claims, in claiming order."""
    unclaimed = [f for f in files if not f.lower().endswith(SCREENSHOT_SUFFIXES)]
    for form in formats():
        groups = form.claim(unclaimed)
        taken = {f for group in groups for f in group}
        unclaimed = [f for f in unclaimed if f not in taken]
        for group in groups:
            yield form, group


def read_run(
    model_id: str, folder: Path, shown_relative_to: Path, cache: PartCache | None = None,
    listing: tuple[list[str], list[Screenshot], list[Diagnostic]] | None = None,
    claims: list[Claimed] | None = None,
) -> tuple[Run, list[Diagnostic]]:
    """One run folder; `listing` is its `_listing` and `claims` its `_claims_of`, when the
    caller has them already."""
    cache = cache or PartCache(None)
    files, images, diagnostics = listing or _listing(folder, shown_relative_to)
    if claims is None:
        claims = _claims_of(folder, files, cache)
    images, diagnostics = list(images), list(diagnostics)

    def shown(relative: str) -> str:
        return shown_path(folder / relative, shown_relative_to)

    parts: list[Part] = []
    claimed: set[str] = set()
    signature = hashlib.sha256("\0".join(files).encode("utf-8", "surrogateescape"))
    known = True  # every file old enough for its stat to tell what it is
    for form, group, key in claims:
        claimed.update(group)
        known = known and key is not None
        signature.update(f"\0{key}".encode())
        try:
            part, found = cache.read(folder, group, form, shown, key)
        except OSError as error:  # deleted or replaced while we read it
            diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown(group[0])))
            continue
        except Exception as error:  # noqa: BLE001 - one odd file must not stop the build
            diagnostics.append(Diagnostic(
                f"skipped: the {form.name} reader failed on it ({type(error).__name__}: {error}); "
                "please report this as a bug in mljournal", shown(group[0])))
            continue
        diagnostics.extend(found)
        if part.files:
            parts.append(replace(part, notes=list(part.notes)))  # notes grow below; the cached Part stays as read
    metrics: dict[str, Series] = {}
    metric_tool: dict[str, str] = {}
    for part in parts:
        for name, series in part.metrics.items():
            if name in metrics:
                part.notes.append(f"'{name}' is also in {metric_tool[name]}'s files; that one is shown")
                continue
            metrics[name] = series
            metric_tool[name] = part.tool
        images.extend(Screenshot(image.name, data=image.data, caption=image.caption) for image in part.images)
    hidden = [pattern for part in parts for pattern in part.not_screenshots]
    if hidden:
        images = [image for image in images if not any(_matches(image.name, pattern) for pattern in hidden)]
    not_read = "" if metrics else _not_read([f for f in files if f not in claimed and not f.lower().endswith(
        SCREENSHOT_SUFFIXES + NOTES)])
    if not_read:
        diagnostics.append(Diagnostic(not_read, shown_path(folder, shown_relative_to)))
    shots = [(image.name, image.stamp) for image in images if image.source]
    known = known and all(stamp and not is_racy(stamp[1] / 1e9) for _, stamp in shots)
    signature.update(repr(shots).encode("utf-8", "surrogateescape"))
    return Run(model_id, folder, metrics, parts, images, _meta(parts), metric_tool, not_read,
               signature.hexdigest() if known else None), diagnostics


NOTES = (".md", ".txt", ".rst", ".html", ".pdf")  # what a person (or a tool's stdout) wrote: no metrics expected
# Files that say which tool wrote a folder, and what that tool's readable file would be.
TELLTALES = (
    ("training_args.bin", "a Hugging Face Trainer's output, but no trainer_state.json (the Trainer writes it "
                          "into each checkpoint and with trainer.save_state())"),
    ("hparams.yaml", "a Lightning log folder, but no metrics.csv (CSVLogger writes it)"),
    ("adapter_model.safetensors", "a PEFT adapter, but no trainer_state.json beside it"),
    ("meta.yaml", "an MLflow run, but no metrics/ folder"),
)


def _not_read(unclaimed: list[str]) -> str:
    """Why a run folder gave no metrics, when it holds files: what they look like, and what
    is missing; empty when there is nothing unread to speak of."""
    if not unclaimed:
        return ""
    names = {name.rpartition("/")[2] for name in unclaimed}
    for telltale, meaning in TELLTALES:
        if telltale in names:
            return f"no metrics read: the files look like {meaning}"
    listed = ", ".join(sorted(unclaimed)[:4]) + (f" and {len(unclaimed) - 4} more" if len(unclaimed) > 4 else "")
    return (f"no metrics read: none of its files is one mljournal reads ({listed}); the formats it reads are "
            "listed in the README (What training tools write)")


def _matches(name: str, pattern: str) -> bool:
    """A folder prefix ("mlruns/1/abc/"), a file name, or a glob ("*+compressed.webp")."""
    return fnmatchcase(name, pattern) if "*" in pattern else name.startswith(pattern)


def _meta(parts: list[Part]) -> RunMeta | None:
    """The run's metadata: the journal's own run.json first, then what the tools recorded."""
    ordered = sorted(parts, key=lambda part: part.tool != "mljournal")
    if not any(part.meta or part.extra or (part.tool == "mljournal" and part.params) for part in ordered):
        return None
    meta = RunMeta()
    for part in ordered:
        for key in META_KEYS:
            if getattr(meta, key) is None and part.meta.get(key):
                setattr(meta, key, part.meta[key])
        for key, value in part.extra.items():
            meta.other.setdefault(key, value)
        if part.tool == "mljournal":
            meta.params = dict(part.params)
    return meta


def find_metric(
    metrics: dict[str, Series], name: str, groups: dict[str, tuple[str, ...]]
) -> tuple[str, Series] | None:
    """`name`'s series, or the series of a name configured as the same quantity
    (``metric_aliases``): (the name found, its series)."""
    if name in metrics:
        return name, metrics[name]
    for other in groups.get(name, ()):
        if other in metrics:
            return other, metrics[other]
    return None


def best(series: Series, goal: str | None) -> tuple[int, float] | None:
    """(step, value) of the best finite value: the lowest for goal 'min', the highest for
    'max', none without a goal; the earliest step among equals."""
    import numpy

    if goal is None:
        return None
    values = numpy.frombuffer(series.values, dtype=numpy.float64) if len(series.values) else numpy.empty(0)
    finite = numpy.isfinite(values)
    if not finite.any():
        return None
    if goal == "min":
        index = int(numpy.where(finite, values, numpy.inf).argmin())
    else:
        index = int(numpy.where(finite, values, -numpy.inf).argmax())
    return series.steps[index], float(values[index])


def last(series: Series) -> tuple[int, float] | None:
    """(step, value) of the last value that is not NaN (an infinity counts: it is what happened)."""
    import numpy

    if not len(series.values):
        return None
    shown = numpy.flatnonzero(~numpy.isnan(numpy.frombuffer(series.values, dtype=numpy.float64)))
    if not len(shown):
        return None
    index = int(shown[-1])
    return series.steps[index], series.values[index]
