"""The `journal` plugin's config class for MkDocs, derived from the one schema in settings.py.

Each option of `Settings` becomes an MkDocs config option that runs the same check, so
plain `mkdocs build` validates what `journal build` validates, with the same messages.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from mljournal.settings import OPTIONS, OptionError, OptionSpec, Settings, read_settings


class _Checked(c.BaseConfigOption):
    """An option whose value is the text as written; the schema's check validates it."""

    def __init__(self, spec: OptionSpec) -> None:
        super().__init__()
        self.spec = spec
        self.default = None  # unset: read_settings gives the schema's default

    def run_validation(self, value: object) -> object:
        if value is None:
            return None
        try:
            self.spec.check(value)
        except OptionError as error:
            raise c.ValidationError(str(error)) from None
        return value


JournalConfig = type("JournalConfig", (base.Config,), {name: _Checked(spec) for name, spec in OPTIONS.items()})


def settings_from(config: base.Config, docs_dir: str, config_file: str | None) -> Settings:
    project = Path(config_file).parent if config_file else Path.cwd()
    written = {name: value for name, value in config.items() if name in OPTIONS and value is not None}
    return read_settings(written, Path(docs_dir), project)
