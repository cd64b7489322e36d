"""Is the built site up to date? A stamp of everything a build reads, kept in the cache.

A build's inputs are mkdocs.yml, every file under docs_dir (entries, runs, other pages),
the theme override folders and the versions of mkdocs, Material and this package (with the
stats of its own files, for editable installs). The stamp records them by path, size,
mtime and inode, with the site's own files, after a successful build. When nothing has
changed since, and the site is as that build left it, `journal build` has nothing to do.

As git does with "racily clean" files, a file modified within RACY_SECONDS before the stamp
was taken is not trusted by its stat (file times are coarse: a same-size rewrite within one
clock tick keeps it): its content is hashed when the build starts, and the next check hashes
it again. A run that has just written its files costs a content check of those files, not a
build; past MAX_RACY_BYTES of them, the build runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata, resources
from pathlib import Path
from stat import S_ISREG

from mljournal.project import Project
from mljournal.cache import RACY_SECONDS, is_racy
from mljournal.reading.walk import walk_folders

STAMP = "last-build.json"


MAX_RACY_BYTES = 256 * 1024 * 1024  # recently written input files hashed by content, at most


@dataclass
class Stamp:
    inputs: str
    site: str
    taken: float
    newest_input: float
    report: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    racy: dict[str, str] | None = None  # path -> content hash of inputs written just before `taken`


@dataclass
class Inputs:
    """What a build reads, as the up-to-date check sees it."""

    digest: str  # of every input's path and stat, the config and the package versions
    newest: float  # the newest input's mtime
    checked: int  # files looked at
    recent: list[str]  # inputs modified within RACY_SECONDS of the scan: their stat proves nothing


def _tree(digest, root: Path, newest: list[float], suffixes: tuple[str, ...] | None = None,
          recent: list[str] | None = None, since: float = 0.0) -> int:
    """Add every file below `root` (path, size, mtime, inode) to `digest`; the file count.
    With `suffixes`, only files with those endings (source files, not caches) count; files
    modified at `since` or later are listed in `recent`.
    Symbolic links to folders are followed as the build follows them (`walk_folders`)."""
    count = 0
    prefix = len(os.path.join(root, ""))  # every path walked starts with it: cut, not os.path.relpath
    for folder, dirs, files, _ in walk_folders(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(files):
            if suffixes is not None and not name.endswith(suffixes):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            newest[0] = max(newest[0], stat.st_mtime)
            if recent is not None and stat.st_mtime >= since and S_ISREG(stat.st_mode):  # never a FIFO's content
                recent.append(path)
            digest.update(f"{path[prefix:]}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n".encode(
                "utf-8", "surrogateescape"))  # a name that is not UTF-8 is hashed as its bytes; the readers warn
            count += 1
    return count


def _file(digest, path: Path, newest: list[float], recent: list[str] | None = None, since: float = 0.0) -> int:
    """Add one file outside the trees (a hook, a watched file) to `digest`."""
    stat = path.stat()
    newest[0] = max(newest[0], stat.st_mtime)
    if recent is not None and stat.st_mtime >= since:
        recent.append(str(path))
    digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return 1


def inputs_digest(project: Project, engine: str, strict: bool, scanned: float | None = None) -> Inputs:
    """The build's inputs as of `scanned` (now): digest, newest mtime, files checked, and the
    files written too recently for their stat to be trusted."""
    since = (time.time() if scanned is None else scanned) - RACY_SECONDS
    recent: list[str] = []
    digest = hashlib.sha256()
    newest = [0.0]
    config = project.config  # as read: INHERIT merged, !ENV values resolved
    digest.update(repr(config).encode("utf-8", "surrogateescape"))
    digest.update(f"\0strict={strict}\0engine={engine}\0site={project.site_dir}\0".encode("utf-8", "surrogateescape"))
    digest.update(repr(sorted(package_versions().items())).encode())
    count = 0
    hooks = config.get("hooks") or []
    for hook in hooks.values() if isinstance(hooks, dict) else hooks:  # Python files the build runs
        if isinstance(hook, str) and (project.root / hook).is_file():
            count += _file(digest, project.root / hook, newest, recent, since)
    count += _tree(digest, project.docs_dir, newest, recent=recent, since=since)
    own = Path(__file__).resolve().parent.parent
    code = (".py", ".html", ".css", ".js", ".svg", ".yml", ".yaml")
    count += _tree(digest, own, newest, suffixes=code, recent=recent, since=since)
    shipped = Path(str(resources.files("mljournal.theme"))).resolve()
    if not shipped.is_relative_to(own):  # an editable install maps theme/ in from outside the package
        count += _tree(digest, shipped, newest, suffixes=code, recent=recent, since=since)
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if isinstance(custom, str) and (project.root / custom).is_dir():
        count += _tree(digest, project.root / custom, newest, recent=recent, since=since)
    for extra in config.get("watch") or []:
        path = project.root / str(extra)
        if path.is_dir():
            count += _tree(digest, path, newest, recent=recent, since=since)
        elif path.is_file():
            count += _file(digest, path, newest, recent, since)
    newest[0] = max(newest[0], project.config_file.stat().st_mtime)
    if project.config_file.stat().st_mtime >= since:
        recent.append(str(project.config_file))
    return Inputs(digest.hexdigest(), newest[0], count, recent)


def content_hashes(paths: list[str]) -> dict[str, str] | None:
    """Each file's content hash, or None when they are too many bytes to be worth it (or one
    cannot be read): then the build runs."""
    found: dict[str, str] = {}
    total = 0
    for path in paths:
        try:
            info = os.stat(path)
            if not S_ISREG(info.st_mode):  # a FIFO put in place of a file: opening it would hang
                return None
            total += info.st_size
            if total > MAX_RACY_BYTES:
                return None
            content = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    content.update(block)
            found[path] = content.hexdigest()
        except OSError:
            return None
    return found


def package_versions() -> dict[str, str]:
    """What turns the same journal into a different site: MkDocs, Material, Markdown and
    its extensions, Pygments, this package, every installed MkDocs plugin, and the optional
    libraries run formats read with (pyarrow for Parquet: installing it changes the pages)."""
    from mljournal.reading.formats import formats

    names = {"mkdocs", "mkdocs-material", "zensical", "mljournal", "markdown", "pymdown-extensions", "pygments"}
    names |= {form.needs for form in formats() if form.needs} | {"pagefind", "pagefind-bin"}  # search: auto
    for entry in metadata.entry_points(group="mkdocs.plugins"):
        if entry.dist is not None:
            names.add(entry.dist.name)
    found = {}
    for name in sorted(names):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def site_digest(site: Path) -> str:
    digest = hashlib.sha256()
    _tree(digest, site, [0.0])
    return digest.hexdigest()


def load(cache_dir: Path) -> Stamp | None:
    try:
        return Stamp(**json.loads((cache_dir / STAMP).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def save(cache_dir: Path, stamp: Stamp) -> None:
    from mljournal.atomic import replacing

    with replacing(cache_dir / STAMP) as partial:
        partial.write_text(json.dumps(asdict(stamp)), encoding="utf-8")


def is_current(stamp: Stamp | None, inputs: str, site: Path) -> bool:
    """The last build's stamp says `site` holds what these inputs build: the same inputs by
    stat, those written just before that build the same by content, the site untouched."""
    if stamp is None or stamp.inputs != inputs or not site.is_dir():
        return False
    if is_racy(stamp.newest_input, now=stamp.taken):
        if not stamp.racy or content_hashes(list(stamp.racy)) != stamp.racy:
            return False
    return stamp.site == site_digest(site)


def now() -> float:
    return time.time()
