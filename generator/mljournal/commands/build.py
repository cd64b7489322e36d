"""`journal build`: the site, built elsewhere and swapped in only when the build succeeded."""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from mljournal.commands import stamp
from mljournal.commands.project import load_mkdocs_config
from mljournal.errors import BuildError
from mljournal.output import check_site_dir


@dataclass
class BuildReport:
    site_dir: Path
    pages: int
    entries: int
    models: int
    warnings: int
    seconds: float
    up_to_date: bool = False  # nothing had changed since the last build: nothing was built
    checked: int = 0  # input files checked for changes


class _Collect(logging.Handler):
    """The warnings a build logs, to repeat them when a later build has nothing to do."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(config_file: Path, *, strict: bool = False, force: bool = False) -> BuildReport:
    """Build the site elsewhere and swap it in; with nothing changed since the last build
    (and `force` not given), only say so and repeat that build's warnings."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build

    start = time.monotonic()
    config = load_mkdocs_config(config_file, strict=strict)
    final = Path(config.site_dir)
    check_site_dir(final, Path(config.docs_dir), config_file.parent)
    plugin = config.plugins["journal"]
    cache_dir = (config_file.parent / plugin.config.cache_dir).resolve()
    scanned = stamp.now()  # a file written after this is not trusted to be in the site
    inputs, newest, checked = stamp.inputs_digest(config, strict)
    previous = stamp.load(cache_dir)
    if not force and stamp.is_current(previous, inputs, final) and not (strict and previous.warnings):
        logger = logging.getLogger("mkdocs.plugins.journal")
        for message in previous.warnings:
            logger.warning(message)
        return BuildReport(final, previous.report.get("pages", 0), previous.report.get("entries", 0),
                           previous.report.get("models", 0), len(previous.warnings), time.monotonic() - start,
                           up_to_date=True, checked=checked)
    staging = final.parent / f".{final.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    config.site_dir = str(staging)
    collect = _Collect()
    logging.getLogger("mkdocs").addHandler(collect)
    try:
        build(config)
    except exceptions.Abort as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"the build failed, {final} is left as it was: {str(error).strip()}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        logging.getLogger("mkdocs").removeHandler(collect)
    _swap(staging, final)
    rendered = plugin.rendered
    report = BuildReport(
        site_dir=final,
        pages=len(rendered.pages) if rendered else 0,
        entries=plugin.entry_count,
        models=plugin.model_count,
        warnings=len(collect.messages),
        seconds=time.monotonic() - start,
        checked=checked,
    )
    summary = {"pages": report.pages, "entries": report.entries, "models": report.models}
    stamp.save(cache_dir, stamp.Stamp(inputs, stamp.site_digest(final), scanned, newest, summary, collect.messages))
    return report


def _swap(staging: Path, final: Path) -> None:
    """Put the new site in place of the old one with two renames; remove the old one last."""
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
