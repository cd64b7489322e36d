"""A cache of parsed metric files, keyed by what the file is now: size, mtime and inode.

A file that grows (a training run appending), is replaced or is touched gets a new key and
is read again; a file that changes while it is read is not stored, and neither is one
modified in the last RACY_SECONDS (file times are coarse: a same-size rewrite within a clock
tick would keep its key; git treats "racily clean" files the same way). Entries live in memory
(so `journal serve` re-reads only what changed) and on disk (so `journal build` does too).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path

from generator.atomic import replacing
from generator.errors import Diagnostic
from generator.reading.metrics import Series

VERSION = "metrics-1"
RACY_SECONDS = 2.0
_memory: dict[str, tuple[dict[str, Series], list[Diagnostic]]] = {}


def _key(path: Path, reader: str) -> str | None:
    """None when the file cannot be cached: gone, or modified too recently to trust its times."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if time.time() - stat.st_mtime < RACY_SECONDS:
        return None
    text = f"{VERSION}\0{reader}\0{os.fspath(path.resolve())}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class MetricCache:
    def __init__(self, cache_dir: Path | None) -> None:
        self.folder = cache_dir / "metrics" if cache_dir else None

    def read(self, path: Path, shown: str, reader_name: str, read) -> tuple[dict[str, Series], list[Diagnostic]]:
        key = _key(path, reader_name)
        if key is None:
            return read(path, shown)
        if key in _memory:
            return _memory[key]
        stored = self.folder / f"{key}.pickle" if self.folder else None
        if stored is not None and stored.exists():
            try:
                with open(stored, "rb") as handle:
                    found = pickle.load(handle)
                _memory[key] = found
                return found
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                pass  # a damaged cache entry is read again from the source
        found = read(path, shown)
        if _key(path, reader_name) == key:  # unchanged while we read it
            _memory[key] = found
            if stored is not None:
                with replacing(stored) as partial, open(partial, "wb") as handle:
                    pickle.dump(found, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return found
