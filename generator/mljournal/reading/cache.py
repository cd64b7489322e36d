"""The cache of what the formats read from run files, keyed by what the files are now.

A file that grows (a training run appending), is replaced or is touched gets a new key and
is read again; a read during which a file changed is not stored, and neither is one of a
file modified too recently to trust its stat (`mljournal.cache.file_key`). Parts live in
memory, one per run folder and format (so `journal serve` re-reads only what changed, and
a run appending all day keeps one copy), and on disk (so `journal build` does too).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from mljournal.cache import Store, file_key, made_by
from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Part, Shown

# Cached Parts are pickles of the dataclass: a new field must not meet an old pickle. Bump the
# number when what the readers make of the same files changes.
VERSION = "parts-4:" + ",".join(f.name for f in fields(Part))
MEMORY_LIMIT = 4096  # run folders x formats kept in memory


class PartCache:
    def __init__(self, cache_dir: Path | None) -> None:
        self.store: Store[tuple[Part, list[Diagnostic]]] = Store(
            "runs", cache_dir / "runs" if cache_dir else None, MEMORY_LIMIT)
        self.moving: list[str] = []  # the files keyed while not at rest (`mljournal.cache.is_at_rest`) or gone

    def key(self, folder: Path, files: list[str], form: Format) -> str | None:
        """None when the files cannot be cached: one is gone, or was modified too recently."""
        return file_key(f"{VERSION}\0{made_by(form.needs) if form.needs else made_by()}\0{form.name}\0"
                        f"{form.version}\0{form.can_read()}", folder, files, self.moving)

    @staticmethod
    def slot(folder: Path, form: Format) -> tuple[str, str]:
        return str(folder), form.name

    def has(self, key: str) -> bool:
        return self.store.has(key)

    def put(self, key: str, found: tuple[Part, list[Diagnostic]], folder: Path, form: Format) -> None:
        self.store.put(key, found, self.slot(folder, form))

    def read(self, folder: Path, files: list[str], form: Format, shown: Shown,
             key: str | None = None) -> tuple[Part, list[Diagnostic]]:
        """The files' Part; `key` is their `key`, when the caller has it already."""
        key = key or self.key(folder, files, form)
        if key is None:
            return form.read(folder, files, shown)
        found = self.store.get(key, self.slot(folder, form))
        if found is not None:
            return found
        found = form.read(folder, files, shown)
        if self.key(folder, files, form) == key:  # unchanged while we read it
            self.store.put(key, found, self.slot(folder, form))
        return found
