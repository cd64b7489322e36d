"""Where the site goes: refusing a site_dir that would destroy something (the site folder is
replaced on every build), building beside it and swapping the new site in."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mljournal.errors import ConfigError
from mljournal.reading.walk import shown_path


def check_site_dir(site_dir: Path, journal_dir: Path, project_dir: Path) -> None:
    """Refuse a site_dir the build would wipe together with something else. Relative paths
    are taken from the project folder, and named as they are written there."""
    site = (project_dir / site_dir).resolve()
    journal = (project_dir / journal_dir).resolve()
    site_dir, journal_dir = _shown(site, project_dir), _shown(journal, project_dir)
    dangerous = {
        project_dir.resolve(): "the project folder",
        Path.home().resolve(): "your home folder",
        Path(site.anchor): "the root of the file system",
    }
    if site in dangerous:
        raise ConfigError(
            f"site_dir '{site_dir}' is {dangerous[site]}, which the build would wipe; use a folder such as 'site'"
        )
    if site == journal or journal.is_relative_to(site) or site.is_relative_to(journal):
        raise ConfigError(
            f"site_dir '{site_dir}' overlaps the journal folder '{journal_dir}', which the build would "
            "wipe or fill; use a folder such as 'site' next to it"
        )
    if not is_built_site(site):
        names = sorted(p.name for p in site.iterdir())
        listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        raise ConfigError(
            f"site_dir '{site_dir}' holds files the journal did not build ({listed}), and every build replaces "
            "that whole folder; move them away, or set site_dir to a new folder such as 'site'"
        )


MARKER = ".mljournal-site"  # written into every site the journal builds: that folder may be replaced


def is_built_site(site: Path) -> bool:
    """Missing, empty, or a built site: marked by the journal, or one MkDocs built before
    (its sitemap or search index; the journal's exports) which a build may replace."""
    try:
        if not site.is_dir() or not any(site.iterdir()):
            return True
    except OSError:
        return True  # not readable as a folder: the build says why
    return any((site / name).exists() for name in (MARKER, "sitemap.xml", "search/search_index.json", "conclusions.json"))


def mark_built(site: Path) -> None:
    """Mark `site` as built by the journal, so later builds may replace it."""
    (site / MARKER).write_text("This folder is built by mljournal (journal build); every build replaces it.\n",
                               encoding="utf-8")


def refused_source(path: Path, docs_dir: Path) -> str | None:
    """Why an author's file of the docs folder must not go into the site, or None: keys and
    credentials by name, symbolic links that leave the docs folder (a link to a netrc would
    publish it), and anything but a regular file (a FIFO would hang the build). Never opens it."""
    from mljournal.publishing.scan import SECRET_FILE_NAMES
    from mljournal.reading.walk import unsafe_file

    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return "skipped: the file name is not valid UTF-8"
    if SECRET_FILE_NAMES.match(path.name):
        return "skipped: a key or credentials file is never put into the site"
    return unsafe_file(path, docs_dir.resolve())


def _shown(path: Path, project_dir: Path) -> str:
    try:
        return path.relative_to(project_dir.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


@contextmanager
def staging_dir(final: Path) -> Iterator[Path]:
    """A scratch folder beside `final` to build into; removed unless it was swapped in. The
    scratch folders of builds that were killed (their process is gone) are removed first."""
    remove_stale(final)
    staging = final.parent / f".{final.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale(final: Path) -> list[Path]:
    """Remove `.<site>.building-<pid>` and `.<site>.old-<pid>` folders whose process is gone
    (a build killed mid-way); those of running builds are left alone. The ones removed."""
    removed = []
    for kind in ("building", "old"):
        for folder in final.parent.glob(f".{final.name}.{kind}-*"):
            pid = folder.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)) or folder.is_symlink():
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@contextmanager
def swap_in(staging: Path, final: Path) -> Iterator[None]:
    """Put the new site in place of the old one with two renames; the old one is removed
    while the caller's block runs (mostly waiting on the file system, it overlaps), and is
    gone when it ends."""
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    mark_built(staging)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    remover = threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True},
                               name="mljournal-remove-old-site")
    remover.start()
    try:
        yield
    finally:
        remover.join()


class FoldersAhead:
    """The last site's folders made in the new one by a thread while the build reads and
    renders the journal: a folder costs a quarter of a millisecond to make here, and a
    10,000-entry site has 2,400 of them, which the page and file writes would otherwise
    make one by one (0.6 s of a one-entry rebuild). `clear_for` takes away, before anything
    is written, those that stand where the new site has a file; `remove_unused` those the
    build left empty, so the site is the one made without them."""

    def __init__(self, last: Path, target: Path) -> None:
        self.last, self.target = str(last), str(target)
        self.made: list[str] = []  # relative, each after its parent
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._make, name="mljournal-make-folders", daemon=True)
        self._thread.start()

    def _make(self) -> None:
        try:
            os.makedirs(self.target, exist_ok=True)
        except OSError:
            return
        pending = [""]
        while pending and not self._stop.is_set():
            relative = pending.pop()
            try:
                with os.scandir(os.path.join(self.last, relative)) as found:
                    folders = [entry.name for entry in found if entry.is_dir(follow_symlinks=False)]
            except OSError:
                continue
            for name in sorted(folders, reverse=True):
                child = os.path.join(relative, name)
                try:
                    os.mkdir(os.path.join(self.target, child))
                except OSError:  # made by the build already, or a file stands there: left to the build
                    continue
                self.made.append(child)
                pending.append(child)

    def stop(self) -> None:
        """The build failed: stop making folders (its scratch folder is removed next)."""
        self._stop.set()
        self._thread.join()

    def clear_for(self, files: Iterator[str]) -> None:
        """Remove the folders made where `files` (paths relative to the site) go: nothing
        is written into them yet, so they are empty folders."""
        self._thread.join()
        made = set(self.made)
        for relative in files:
            if os.path.normpath(relative) in made:
                shutil.rmtree(os.path.join(self.target, relative), ignore_errors=True)

    def remove_unused(self) -> None:
        """Remove the folders made that the build left empty (a model's page gone)."""
        self._thread.join()
        for relative in reversed(self.made):  # children before their parents
            try:
                os.rmdir(os.path.join(self.target, relative))
            except OSError:
                pass  # not empty: the site uses it


def link_from(last: Path, target: Path) -> bool:
    """`target` made a hard link to the last site's file `last`; False where that cannot be
    (another file system, one without links): the caller writes it instead."""
    try:
        try:
            os.link(last, target)
        except FileNotFoundError:  # its folder is not made yet (the link's own source gone: False below)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(last, target)
    except OSError:
        return False
    return True


def gone_while_built(source: Path, project_dir: Path) -> str:
    """The warning for a file to publish that was deleted after the journal read it and before
    the engine copied it (a run's screenshot replaced as it trains): it is left out."""
    return f"{shown_path(source, project_dir)}: skipped: deleted while the site was built"
