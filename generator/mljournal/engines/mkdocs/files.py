"""MkDocs' listing of docs_dir, walked as the journal walks: never through a link out of it.

MkDocs 1.6 lists docs_dir with `os.walk(followlinks=True)` before any plugin sees a file,
so a folder linked to `/usr` is walked whole (minutes, gigabytes) and a link to `..` loops
until the paths are too long. `get_files` is MkDocs' own function with one change: the walk
is `walk_folders`, which follows a linked folder only while it stays inside docs_dir, once.
The folders not followed are warned about (the journal's entries and runs folders are not:
their readers say it).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.journal")


def install() -> None:
    """Have `mkdocs build` (and `journal serve`, which calls it) list files with `get_files`."""
    import mkdocs.commands.build as build

    if getattr(build.get_files, "__module__", None) != __name__:
        build.get_files = get_files


def get_files(config):
    from mkdocs.structure.files import File, Files, _file_sort_key, set_exclusions

    from mljournal.reading.walk import shown_path, walk_folders

    plugin = config.plugins.get("journal")
    settings = getattr(plugin, "settings", None)
    quiet = () if settings is None else (
        os.path.join(config["docs_dir"], settings.entries_folder, ""),
        os.path.join(config["docs_dir"], settings.runs_folder, ""))
    project = Path(config.config_file_path or ".").parent
    files: list[File] = []
    conflicting_files: list[tuple[File, File]] = []
    for source_dir, dirnames, filenames, skipped in walk_folders(Path(config["docs_dir"])):
        for path, reason in skipped:
            if not (path + os.sep).startswith(quiet):
                log.warning(f"{shown_path(Path(path), project)}: {reason}")
        relative_dir = os.path.relpath(source_dir, config["docs_dir"])
        filenames.sort(key=_file_sort_key)
        files_by_dest: dict[str, File] = {}
        for filename in filenames:  # from here on, as MkDocs' get_files
            file = File(os.path.join(relative_dir, filename), config["docs_dir"], config["site_dir"],
                        config["use_directory_urls"])
            prev_file = files_by_dest.setdefault(file.dest_uri, file)
            if prev_file is not file:
                conflicting_files.append((prev_file, file))
            files.append(file)
    set_exclusions(files, config)
    for a, b in conflicting_files:  # a README.md beside an index.md
        if b.inclusion.is_included():
            if a.inclusion.is_included():
                log.warning(f"Excluding '{a.src_uri}' from the site because it conflicts with '{b.src_uri}'.")
            try:
                files.remove(a)
            except ValueError:
                pass
        else:
            try:
                files.remove(b)
            except ValueError:
                pass
    return Files(files)
