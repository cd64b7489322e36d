"""A cache of what the formats read from run files, keyed by what the files are now: each
file's size, mtime and inode.

A file that grows (a training run appending), is replaced or is touched gets a new key and
is read again; a read during which a file changed is not stored, and neither is one of a
file modified in the last RACY_SECONDS (file times are coarse: a same-size rewrite within a
clock tick would keep its key; git treats "racily clean" files the same way). Entries live
in memory (so `journal serve` re-reads only what changed) and on disk (so `journal build`
does too).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import fields
import pickle
import time
from pathlib import Path

from mljournal.atomic import replacing
from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown

# Cached Parts are pickles of the dataclass: a new field must not meet an old pickle.
VERSION = "parts-2:" + ",".join(f.name for f in fields(Part))
RACY_SECONDS = 2.0
_memory: dict[str, tuple[Part, list[Diagnostic]]] = {}


def _key(folder: Path, files: list[str], form: Format) -> str | None:
    """None when the files cannot be cached: one is gone, or was modified too recently to
    trust its times."""
    digest = hashlib.sha256(
        f"{VERSION}\0{form.name}\0{form.version}\0{os.fspath(folder.resolve())}".encode("utf-8", "surrogateescape"))
    now = time.time()
    for relative in files:
        try:
            stat = (folder / relative).stat()
        except OSError:
            return None
        if now - stat.st_mtime < RACY_SECONDS:
            return None
        digest.update(f"\0{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


class PartCache:
    def __init__(self, cache_dir: Path | None) -> None:
        self.folder = cache_dir / "runs" if cache_dir else None

    def key(self, folder: Path, files: list[str], form: Format) -> str | None:
        return _key(folder, files, form)

    def has(self, key: str) -> bool:
        return key in _memory or (self.folder is not None and (self.folder / f"{key}.pickle").exists())

    def put(self, key: str, found: tuple[Part, list[Diagnostic]]) -> None:
        _memory[key] = found
        if self.folder is not None:
            self._store(key, found)

    def _store(self, key: str, found) -> None:
        try:
            with replacing(self.folder / f"{key}.pickle") as partial, open(partial, "wb") as handle:
                pickle.dump(found, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            pass  # a full or read-only cache costs time next build, never the data

    def read(self, folder: Path, files: list[str], form: Format, shown: Shown) -> tuple[Part, list[Diagnostic]]:
        key = _key(folder, files, form)
        if key is None:
            return form.read(folder, files, shown)
        if key in _memory:
            return _memory[key]
        stored = self.folder / f"{key}.pickle" if self.folder else None
        if stored is not None and stored.exists():
            try:
                with open(stored, "rb") as handle:
                    found = pickle.load(handle)
                _memory[key] = found
                return found
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
                pass  # a damaged or outdated cache entry is read again from the source
        found = form.read(folder, files, shown)
        if _key(folder, files, form) == key:  # unchanged while we read it
            _memory[key] = found
            if stored is not None:
                self._store(key, found)
        return found
