"""Is the built site up to date? A stamp of everything a build reads, kept in the cache.

A build's inputs are mkdocs.yml, every file under docs_dir (entries, runs, other pages),
the theme override folders and the versions of mkdocs, Material and this package (with the
stats of its own files, for editable installs). The stamp records them by path, size,
mtime and inode, with the site's own files, after a successful build. When nothing has
changed since, and the site is as that build left it, `journal build` has nothing to do.

As git does with "racily clean" files, a file modified within RACY_SECONDS before the stamp
was taken is never trusted: file times are coarse, and a same-size rewrite within one clock
tick would keep its stat.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

RACY_SECONDS = 2.0
STAMP = "last-build.json"


@dataclass
class Stamp:
    inputs: str
    site: str
    taken: float
    newest_input: float
    report: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _tree(digest, root: Path, newest: list[float], suffixes: tuple[str, ...] | None = None) -> int:
    """Add every file below `root` (path, size, mtime, inode) to `digest`; the file count.
    With `suffixes`, only files with those endings (source files, not caches) count."""
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if suffixes is not None and not name.endswith(suffixes):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            newest[0] = max(newest[0], stat.st_mtime)
            digest.update(f"{os.path.relpath(path, root)}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n".encode())
            count += 1
    return count


def inputs_digest(config, strict: bool) -> tuple[str, float, int]:
    """(digest of the build's inputs, the newest input's mtime, files checked)."""
    digest = hashlib.sha256()
    newest = [0.0]
    config_file = Path(config.config_file_path)
    digest.update(config_file.read_bytes())
    digest.update(f"\0strict={strict}\0site={config.site_dir}\0".encode())
    for package in ("mkdocs", "mkdocs-material", "mljournal"):
        try:
            digest.update(f"{package}={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            pass
    count = _tree(digest, Path(config.docs_dir), newest)
    own = Path(__file__).resolve().parent.parent
    count += _tree(digest, own, newest, suffixes=(".py", ".html", ".css", ".js", ".svg", ".yml", ".yaml"))
    for folder in config.theme.dirs:
        if not Path(folder).resolve().is_relative_to(own) and "site-packages" not in str(folder):
            count += _tree(digest, Path(folder), newest)
    for extra in config.watch:
        if Path(extra).is_dir():
            count += _tree(digest, Path(extra), newest)
    newest[0] = max(newest[0], config_file.stat().st_mtime)
    return digest.hexdigest(), newest[0], count


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
    from generator.atomic import replacing

    with replacing(cache_dir / STAMP) as partial:
        partial.write_text(json.dumps(asdict(stamp)), encoding="utf-8")


def is_current(stamp: Stamp | None, inputs: str, site: Path) -> bool:
    return (
        stamp is not None
        and stamp.inputs == inputs
        and stamp.newest_input < stamp.taken - RACY_SECONDS
        and site.is_dir()
        and stamp.site == site_digest(site)
    )


def now() -> float:
    return time.time()
