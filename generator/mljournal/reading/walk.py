"""Walking journal folders safely: no symlinks out of the journal, no loops, no editor debris."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Editors' temporary, swap and backup files; never journal content.
_DEBRIS_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload", ".bak")


def is_debris(name: str) -> bool:
    """Dotfiles, editor temp/swap/backup files (``.#x.md``, ``x.md~``, ``#x.md#``, ``4913``)."""
    return (
        name.startswith((".", "#", "~$"))
        or name.endswith(_DEBRIS_SUFFIXES)
        or (name.endswith("#") and name.startswith("#"))
        or name == "4913"
    )


def walk_files(root: Path, suffixes: tuple[str, ...] | None = None,
               hidden: tuple[str, ...] = ()) -> Iterator[tuple[Path, str | None]]:
    """Yield (path, None) for each regular file below `root`, sorted, or (path, reason) when a
    link was skipped. Symlinked folders are not followed (that ends loops); a symlinked file
    is read only if it stays inside `root`. Hidden folders are left out, except those named
    in `hidden` (a tool's own, such as Neptune's ``.neptune``)."""
    real_root = root.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d in hidden or not d.startswith((".", "__")))
        here = Path(folder)
        for name in sorted(files):
            if is_debris(name):
                continue
            if suffixes is not None and not name.lower().endswith(suffixes):
                continue
            path = here / name
            problem = unsafe_file(path, real_root)
            if problem:
                yield path, problem
            elif not path.is_dir():
                yield path, None


def walk_folders(root: Path) -> Iterator[tuple[str, list[str], list[str], list[tuple[str, str]]]]:
    """`os.walk(root, followlinks=True)` that never leaves `root`: a symbolic link to a folder
    is followed only when it stays inside `root`, is not an ancestor of where it is (a loop)
    and was not already followed by another link (each linked folder is walked once). Yields
    (folder, dirs, files, skipped): `dirs` may be pruned further by the caller; `skipped`
    holds (path, reason) of the links not followed."""
    real_root = Path(root).resolve()
    followed: set[Path] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        here = None  # resolved only where a link is met: resolving every folder was a third of the walk
        kept, skipped = [], []
        for name in sorted(dirs):
            path = os.path.join(folder, name)
            if os.path.islink(path):
                here = here or Path(folder).resolve()
                problem = _linked_folder_problem(Path(path), real_root, here, followed)
                if problem:
                    skipped.append((path, problem))
                    continue
            kept.append(name)
        dirs[:] = kept
        yield folder, dirs, files, skipped


def _link_target(path: Path, real_root: Path) -> tuple[Path | None, str | None]:
    """(where a symbolic link leads, None), or (None, why it must not be followed)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None, "skipped: a broken or looping symbolic link"
    if not target.is_relative_to(real_root):
        return None, "skipped: a symbolic link that points outside the journal"
    return target, None


def _linked_folder_problem(path: Path, real_root: Path, here: Path, followed: set[Path]) -> str | None:
    target, problem = _link_target(path, real_root)
    if target is None:
        return problem
    if here.is_relative_to(target):
        return "skipped: a symbolic link to a folder it is in (a loop)"
    if target in followed:
        return "skipped: a second symbolic link to a folder already walked"
    followed.add(target)
    return None


def unsafe_file(path: Path, real_root: Path) -> str | None:
    """Why a file under `real_root` (resolved) must not be read or published, or None: a
    symbolic link that is broken, loops, or leaves the root, and anything but a regular file
    (a FIFO would hang its reader). Never opens it."""
    if path.is_symlink():
        target, problem = _link_target(path, real_root)
        if target is None:
            return problem
    if not path.is_file() and not path.is_dir():
        return "skipped: not a regular file (a FIFO, socket or device is never opened)"
    return None


def shown_path(path: Path, base: Path) -> str:
    """`path` as shown to the user: relative to `base` (the project folder) when inside it."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return os.fspath(path)
