"""Every cache of the journal, on one mechanism.

- `file_key`: what a set of files is now (size, mtime, inode), or None when one is missing
  or was modified too recently to trust: as git does with "racily clean" files, a file
  modified within RACY_SECONDS is never trusted by its stat, since file times are coarse
  and a same-size rewrite within one clock tick would keep it; and whether a file whose
  last line is unended is at rest (AT_REST_SECONDS) is part of its key. The rules are
  written here once.
- `Store`: parsed or rendered things by key, bounded in memory (least recently used out
  first; one slot per source, so a run appending all day keeps one copy, not one per read)
  and, when given a folder, on disk as one pickle per key, written atomically; a `Bundle`
  keeps its values on disk in one file instead.
- `ContentStore`: files named by the hash of what they hold (plots, thumbnails, images
  taken out of tool logs): an unchanged input is never drawn twice, and a name never
  changes meaning, so a browser may cache it forever.
- `made_by`: the versions of the code that read a cached thing (this package, and an
  optional library a reader uses), in the key of the parts read from run files: an upgrade
  reads them again. Content-named files (plots, thumbnails) keep their names across
  versions; their code bumps its own STYLE_VERSION when what it draws changes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Generic, TypeVar

from mljournal.atomic import replacing

RACY_SECONDS = 2.0
# A log whose last line has no newline is being written: that line waits. A file unchanged
# for this long is at rest, and its unended last line is taken as whole (a writer that never
# ended it). Part of the cache key of a file with an unended last line, so it is read once
# more when it comes to rest.
AT_REST_SECONDS = 60.0
V = TypeVar("V")
_MEMORY: dict[str, OrderedDict] = {}  # by store name: alive as long as the process (`journal serve`)
_LOCK = threading.Lock()


def made_by(*libraries: str) -> bytes:
    """This package's version and those of `libraries` (distribution names), for a cache key."""
    return _versions(libraries)


@functools.lru_cache(maxsize=None)
def _versions(libraries: tuple[str, ...]) -> bytes:
    from importlib import metadata

    from mljournal import __version__

    found = [f"mljournal {__version__}"]
    for name in libraries:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return ";".join(found).encode()


def is_racy(mtime: float, now: float | None = None) -> bool:
    """Modified too recently for its stat to say it is unchanged."""
    return (time.time() if now is None else now) - mtime < RACY_SECONDS


def is_at_rest(mtime: float, now: float | None = None) -> bool:
    """Unchanged for AT_REST_SECONDS: nothing is writing it any more."""
    return (time.time() if now is None else now) - mtime >= AT_REST_SECONDS


def file_key(salt: str, folder: Path, files: Iterable[str], moving: list[str] | None = None) -> str | None:
    """A key for what `files` (relative to `folder`) are now; None: one is gone, or racy.
    A file that ends its last line (or is empty) reads the same at rest or not, and is keyed
    as at rest: only an unended last line waits for it. With `moving`, each file found not
    at rest (or gone) is added to it, until the first racy one."""
    digest = hashlib.sha256(f"{salt}\0{os.fspath(folder.resolve())}".encode("utf-8", "surrogateescape"))
    now = time.time()
    for relative in files:
        try:
            stat = (folder / relative).stat()
        except OSError:
            stat = None
        if stat is None or is_racy(stat.st_mtime, now):
            if moving is not None:
                moving.append(os.path.join(folder, relative))
            return None
        rest = is_at_rest(stat.st_mtime, now) or _ends_its_lines(folder / relative, stat)
        if not rest and moving is not None:
            moving.append(os.path.join(folder, relative))
        digest.update(f"\0{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\0{rest}".encode(
            "utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def _ends_its_lines(path: Path, stat: os.stat_result) -> bool:
    """`path` is empty or its last byte is a line end, and it is still what `stat` says."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        now = os.fstat(handle)
        if (now.st_size, now.st_mtime_ns, now.st_ino) != (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            return False
        return now.st_size == 0 or os.pread(handle, 1, now.st_size - 1) == b"\n"
    except OSError:
        return False
    finally:
        os.close(handle)


class Store(Generic[V]):
    """Values by key, in memory (at most `limit` slots) and, with `folder`, on disk.

    A value is put under a key (what its source is now) in a slot (which source it is):
    a new key for the same slot replaces the old value in memory.
    """

    def __init__(self, name: str, folder: Path | None = None, limit: int = 10_000) -> None:
        with _LOCK:
            self.memory: OrderedDict[Hashable, tuple[Hashable, V]] = _MEMORY.setdefault(name, OrderedDict())
        self.folder, self.limit = folder, limit

    def get(self, key: Hashable, slot: Hashable | None = None) -> V | None:
        slot = key if slot is None else slot
        with _LOCK:
            found = self.memory.get(slot)
            if found is not None and found[0] == key:
                self.memory.move_to_end(slot)
                return found[1]
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError, TypeError):
            return None  # damaged or outdated: made again from the source
        self._remember(key, slot, value)
        return value

    def has(self, key: Hashable, slot: Hashable | None = None) -> bool:
        found = self.memory.get(key if slot is None else slot)
        if found is not None and found[0] == key:
            return True
        path = self._path(key)
        return path is not None and path.exists()

    def put(self, key: Hashable, value: V, slot: Hashable | None = None) -> None:
        self._remember(key, key if slot is None else slot, value)
        path = self._path(key)
        if path is None:
            return
        try:
            with replacing(path) as partial, open(partial, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # a full or read-only cache (or a value that does not pickle) costs time next build, never the data

    def __len__(self) -> int:
        return len(self.memory)

    def _remember(self, key: Hashable, slot: Hashable, value: V) -> None:
        with _LOCK:
            self.memory[slot] = (key, value)
            self.memory.move_to_end(slot)
            while len(self.memory) > self.limit:
                self.memory.popitem(last=False)

    def _path(self, key: Hashable) -> Path | None:
        if self.folder is None or not isinstance(key, str):
            return None
        return self.folder / f"{key}.pickle"


_PICKLES: dict[str, tuple[tuple, object]] = {}  # path -> (what the file was, what it held)


def read_pickle(path: Path, remember: bool = True) -> object | None:
    """What a pickle file of the cache holds, or None (missing, damaged, made by other code).
    Read once in a process while the file stays as it was (`journal serve` does not read
    megabytes again at every edit); callers must not change what it returns. Without
    `remember`, read every time and not held in memory here (the caller holds it)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    identity = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    with _LOCK:
        known = _PICKLES.get(str(path)) if remember else None
    if known is not None and known[0] == identity:
        return known[1]
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError, TypeError):
        return None
    if remember:
        with _LOCK:
            _PICKLES[str(path)] = (identity, value)
    return value


def write_pickle(path: Path, value: object, remember: bool = True) -> None:
    """`value` into the pickle file `path`, atomically (and, with `remember`, held for
    `read_pickle`); a full or read-only cache costs time next build, never the data."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as partial, open(partial, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        stat = os.stat(path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
    with _LOCK:
        if remember:
            _PICKLES[str(path)] = ((stat.st_size, stat.st_mtime_ns, stat.st_ino), value)
        else:
            _PICKLES.pop(str(path), None)


class Bundle(Store[V]):
    """A Store whose disk part is one file: every value got or put since it was opened, by
    key, written by `save` when one of them is new. For many small values read together
    (an entry per file): one file opened instead of thousands. Values not used in a run are
    not kept for the next."""

    def __init__(self, name: str, path: Path | None = None, limit: int = 10_000) -> None:
        super().__init__(name, None, limit)
        self.path = path
        self.stored: dict[Hashable, V] | None = None  # the file, read at the first miss in memory
        self.used: dict[Hashable, V] = {}

    def get(self, key: Hashable, slot: Hashable | None = None) -> V | None:
        found = super().get(key, slot)
        if found is None:
            found = self._load().get(key)
            if found is not None:
                self._remember(key, key if slot is None else slot, found)
        if found is not None:
            self.used[key] = found
        return found

    def _load(self) -> dict[Hashable, V]:
        if self.stored is None:
            found = read_pickle(self.path) if self.path is not None else None
            self.stored = found if isinstance(found, dict) else {}  # none yet, damaged or outdated: made again
        return self.stored

    def put(self, key: Hashable, value: V, slot: Hashable | None = None) -> None:
        super().put(key, value, slot)
        self.used[key] = value

    def save(self) -> None:
        """Write the values used, when one was not in the file (all found in memory: nothing new)."""
        if self.path is None or self.stored is None or self.used.keys() == self.stored.keys():
            return
        self.stored = dict(self.used)
        write_pickle(self.path, self.stored)


class ContentStore:
    """Files named by the hash of what they hold, under <cache_dir>/<kind>/."""

    def __init__(self, cache_dir: Path, kind: str) -> None:
        self.folder = cache_dir / kind

    @staticmethod
    def name(digest: hashlib._Hash) -> str:  # type: ignore[name-defined]
        return digest.hexdigest()[:24]

    def path(self, digest: hashlib._Hash, suffix: str) -> Path:  # type: ignore[name-defined]
        return self.folder / f"{self.name(digest)}{suffix}"

    def put_bytes(self, digest: hashlib._Hash, suffix: str, data: bytes) -> Path:  # type: ignore[name-defined]
        """The file holding `data` (written, atomically, only if it is not there yet)."""
        path = self.path(digest, suffix)
        if not path.exists():
            with replacing(path) as partial:
                partial.write_bytes(data)
        return path


def clear_memory() -> None:
    """Forget what this process holds in memory: what a new process would see."""
    with _LOCK:
        for memory in _MEMORY.values():
            memory.clear()
        _PICKLES.clear()
