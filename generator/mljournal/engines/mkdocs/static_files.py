"""Static files (screenshots, thumbnails, plots, the theme's assets) linked from the last
site instead of copied again.

MkDocs copies every static file into the folder it builds, a thousand and more for a
journal with screenshots, though few change between builds. The site is built beside the
one it replaces (`output.staging_dir`), so a file the last site holds can be hard-linked
into the new one when it is a copy of the same source: the same size, and copied after the
source was last modified or put in place (MkDocs' copies take the time of copying, and
links keep it), as MkDocs' own `--dirty` judges, and its change time too (a file copied back
with its old mtime is newer by that). A source modified too recently for its mtime to tell
is copied. Nothing writes into a static file after it is in place, so the two sites sharing it
is safe; the old site is removed once the new one is in place.

A source deleted after the journal read it and before MkDocs copied it (a run's screenshot
replaced as it trains) is named in a warning and left out, as a file gone mid-read is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path

from mljournal.cache import is_racy
from mljournal.output import gone_while_built, link_from

log = logging.getLogger("mkdocs.plugins.journal")


@contextlib.contextmanager
def linking_unchanged(last_site: Path, site_dir: Path, project_dir: Path):
    """During a `mkdocs build` into `site_dir`: static files that `last_site` holds copies of
    are linked from there; one deleted since it was listed is a warning."""
    from mkdocs.structure.files import File

    original = File.copy_file
    now = time.time()

    def copy_file(file, dirty: bool = False) -> None:
        try:
            return copy_or_link(file, dirty)
        except FileNotFoundError:
            if file.abs_src_path is None or os.path.exists(file.abs_src_path):
                raise
            log.warning(gone_while_built(Path(file.abs_src_path), project_dir))
        return None

    def copy_or_link(file, dirty: bool) -> None:
        if dirty or file.abs_src_path is None or getattr(file, "_content", None) is not None:
            return original(file, dirty)
        target = Path(file.abs_dest_path)
        try:
            relative = target.relative_to(site_dir)
            source, last = os.stat(file.abs_src_path), os.stat(last_site / relative)
        except (OSError, ValueError):
            return original(file, dirty)
        changed = max(source.st_mtime_ns, source.st_ctime_ns)  # ctime: also a file put back with an old mtime
        if source.st_size != last.st_size or last.st_mtime_ns < changed or is_racy(source.st_mtime, now):
            return original(file, dirty)
        if not link_from(last_site / relative, target):
            return original(file, dirty)
        return None

    File.copy_file = copy_file
    try:
        yield
    finally:
        File.copy_file = original
