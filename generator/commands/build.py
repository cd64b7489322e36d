"""`journal build`: the site, built elsewhere and swapped in only when the build succeeded."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from generator.commands.project import load_mkdocs_config
from generator.errors import BuildError
from generator.site.safety import check_site_dir


@dataclass
class BuildReport:
    site_dir: Path
    pages: int
    entries: int
    models: int
    warnings: int
    seconds: float


def build_site(config_file: Path, *, strict: bool = False) -> BuildReport:
    from mkdocs import exceptions
    from mkdocs.commands.build import build

    start = time.monotonic()
    config = load_mkdocs_config(config_file, strict=strict)
    final = Path(config.site_dir)
    check_site_dir(final, Path(config.docs_dir), config_file.parent)
    staging = final.parent / f".{final.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    config.site_dir = str(staging)
    plugin = config.plugins["journal"]
    try:
        build(config)
    except exceptions.Abort as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"the build failed, {final} is left as it was: {str(error).strip()}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, final)
    rendered = plugin.rendered
    return BuildReport(
        site_dir=final,
        pages=len(rendered.pages) if rendered else 0,
        entries=plugin.entry_count,
        models=plugin.model_count,
        warnings=plugin.warning_count,
        seconds=time.monotonic() - start,
    )


def _swap(staging: Path, final: Path) -> None:
    """Put the new site in place of the old one with two renames; remove the old one last."""
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
