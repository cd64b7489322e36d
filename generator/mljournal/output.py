"""Where the site goes: refusing a site_dir that would destroy something (the site folder is
replaced on every build), building beside it and swapping the new site in."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mljournal.errors import ConfigError


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


def swap_in(staging: Path, final: Path) -> None:
    """Put the new site in place of the old one with two renames; remove the old one last."""
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
