"""The MkDocs engine: MkDocs 1.6 and Material build the site through the `journal` plugin.

`plugin.py` is what `plugins: [journal]` loads, so plain `mkdocs build` (and `properdocs
build`, whose CLI maps `mkdocs.*` onto its own modules) gives the same site; `live.py` is
`journal serve`. MkDocs' private functions are used only in this package.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mljournal.engines import BuildResult
from mljournal.errors import BuildError, ConfigError
from mljournal.project import Project


class _Collect(logging.Handler):
    """The warnings a build logs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def load_config(config_file: Path, **overrides):
    """MkDocs' validated config, with the journal plugin required."""
    from mkdocs import exceptions
    from mkdocs.config import load_config as mkdocs_load_config

    try:
        config = mkdocs_load_config(str(config_file), **overrides)
    except exceptions.ConfigurationError as error:
        raise ConfigError(str(error).strip(), config_file) from None
    except exceptions.Abort:  # MkDocs has already logged what is wrong
        raise ConfigError("the configuration has errors (see above)", config_file) from None
    if "journal" not in config.plugins:
        raise ConfigError("the journal plugin is not on: add 'plugins: [search, journal]'", config_file)
    return config


def build(project: Project, site_dir: Path, *, strict: bool = False) -> BuildResult:
    """The site in `site_dir` (which MkDocs empties first), beside the project's last site."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build as mkdocs_build

    from mljournal.engines.mkdocs.page_cache import empty_pages_without_markdown, reusing_pages
    from mljournal.engines.mkdocs.static_files import linking_unchanged

    config = load_config(project.config_file, strict=strict)
    config.site_dir = str(site_dir)
    config.plugins["journal"].last_site = project.site_dir  # what of its search index is still true is kept
    collect = _Collect()
    logging.getLogger("mkdocs").addHandler(collect)
    try:
        with reusing_pages(config, project.settings.cache_dir, project.site_dir), empty_pages_without_markdown(), \
                linking_unchanged(project.site_dir, site_dir, project.root):
            mkdocs_build(config)
    except exceptions.Abort as error:
        raise BuildError(str(error).strip()) from None
    finally:
        logging.getLogger("mkdocs").removeHandler(collect)
    plugin = config.plugins["journal"]
    return BuildResult(site_dir, plugin.page_count, plugin.entry_count, plugin.model_count, collect.messages)


def serve(project: Project, dev_addr: str, open_in_browser: bool = False) -> None:
    from mljournal.engines.mkdocs.live import serve as live_serve

    load_config(project.config_file)  # fail early, with our message, on a bad config
    live_serve(project.config_file, dev_addr=dev_addr, open_in_browser=open_in_browser)
