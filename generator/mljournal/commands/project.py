"""Finding and loading the project: mkdocs.yml and the journal settings in it."""

from __future__ import annotations

from pathlib import Path

from mljournal.errors import ConfigError
from mljournal.settings import Settings

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


def find_config(config_file: Path | None) -> Path:
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"no such file: {config_file}")
        return config_file
    for name in CONFIG_NAMES:
        if Path(name).is_file():
            return Path(name)
    raise ConfigError("no mkdocs.yml here: run `journal init` to start a journal, or pass -f PATH")


def load_mkdocs_config(config_file: Path, **overrides):
    """MkDocs' validated config, with the journal plugin required."""
    from mkdocs import exceptions
    from mkdocs.config import load_config

    try:
        config = load_config(str(config_file), **overrides)
    except exceptions.ConfigurationError as error:
        raise ConfigError(str(error).strip(), config_file) from None
    except exceptions.Abort:  # MkDocs has already logged what is wrong
        raise ConfigError("the configuration has errors (see above)", config_file) from None
    if "journal" not in config.plugins:
        raise ConfigError("the journal plugin is not on: add 'plugins: [search, journal]'", config_file)
    return config


def load_settings(config_file: Path) -> Settings:
    """The journal settings alone (for `journal entry`), validated by MkDocs as in a build."""
    config = load_mkdocs_config(config_file)
    plugin = config.plugins["journal"]
    config = plugin.on_config(config)
    return plugin.settings
