"""The project: mkdocs.yml, the journal folder it names and the journal's settings in it.

Read without any site engine, so that `journal entry`, the recorder and every engine see the
same settings. mkdocs.yml is YAML with MkDocs' tags (`!ENV`, `!relative`, `!!python/name:…`)
and `INHERIT:`; the journal needs only `docs_dir`, `site_dir`, `site_url` and its own
plugin entry, so other tags are kept as `Tagged` values rather than refused (and written
back as they were into a config derived for another engine).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mljournal.errors import ConfigError
from mljournal.settings import Settings, SettingsError, read_settings

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
PLUGIN = "journal"


@dataclass(frozen=True)
class Tagged:
    """A value with a YAML tag the journal does not interpret (`!!python/name:…`, `!relative`)."""

    tag: str  # as written: "tag:yaml.org,2002:python/name:material.extensions.emoji.twemoji"
    value: object  # the node's scalar, list or mapping


class NotAJournalError(ConfigError):
    """An mkdocs.yml without the journal plugin: another site's."""


@dataclass(frozen=True)
class Project:
    config_file: Path
    root: Path  # the folder of mkdocs.yml
    docs_dir: Path  # the journal folder
    site_dir: Path
    site_url: str | None
    settings: Settings
    config: dict = field(repr=False, default_factory=dict)  # mkdocs.yml as loaded, INHERIT merged


def find_config(config_file: Path | None = None, start: Path | None = None) -> Path:
    """`config_file`, else mkdocs.yml in the current folder."""
    if config_file is not None:
        if not Path(config_file).is_file():
            raise ConfigError(f"no such file: {config_file}")
        return Path(config_file)
    for name in CONFIG_NAMES:
        if (Path(start or ".") / name).is_file():
            return Path(start or ".") / name
    raise ConfigError("no mkdocs.yml here: run `journal init` to start a journal, or pass -f PATH")


def find_project_config(start: Path) -> Path | None:
    """The mkdocs.yml of the project `start` is in: in it or the nearest parent."""
    here = start.resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def load_project(config_file: Path) -> Project:
    """mkdocs.yml read and the journal's settings validated; ConfigError names the line."""
    config_file = Path(config_file)
    config, lines = _load_yaml(config_file)
    root = config_file.parent.resolve()
    options, line = _plugin_options(config, lines)
    if options is None:
        raise NotAJournalError(f"the journal plugin is not on: add 'plugins: [search, {PLUGIN}]'", config_file)
    docs_dir = root / str(config.get("docs_dir") or "docs")
    site_dir = root / str(config.get("site_dir") or "site")
    try:
        settings = read_settings(options or {}, docs_dir, root)
    except SettingsError as error:
        raise ConfigError(str(error), config_file, lines.get(("option", error.option), line)) from None
    site_url = config.get("site_url")
    return Project(config_file, root, docs_dir, site_dir, str(site_url) if site_url else None, settings, config)


def _plugin_options(config: dict, lines: dict) -> tuple[dict | None, int | None]:
    """The journal plugin's options (an empty mapping when it has none), or None when it is
    not in `plugins:`; and the line it is on."""
    plugins = config.get("plugins")
    if isinstance(plugins, dict):
        if PLUGIN in plugins:
            return plugins[PLUGIN] or {}, lines.get(("plugin",))
        return None, None
    for item in plugins or []:
        if item == PLUGIN:
            return {}, lines.get(("plugin",))
        if isinstance(item, dict) and PLUGIN in item:
            return item[PLUGIN] or {}, lines.get(("plugin",))
    return None, None


def _load_yaml(path: Path) -> tuple[dict, dict]:
    """(the mapping, lines of the journal plugin and its options) with INHERIT merged."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def env(loader, node):
        names = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [loader.construct_scalar(node)]
        default = names.pop() if len(names) > 1 else None
        return next((os.environ[n] for n in names if n in os.environ), default)

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            value: object = loader.construct_mapping(node, deep=True)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_scalar(node)
        return Tagged(node.tag, value)

    Loader.add_constructor("!ENV", env)
    Loader.add_multi_constructor("!", tagged)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", tagged)
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=Loader)
        config = yaml.load(text, Loader=Loader) if node is not None else {}
    except UnicodeDecodeError as error:
        raise ConfigError(f"not UTF-8 text (byte {error.start}); save it as UTF-8", path) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ConfigError(f"not valid YAML: {error.problem or error}", path, mark.line + 1 if mark else None) from None
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read it: {error}", path) from None
    if not isinstance(config, dict):
        raise ConfigError("expected a mapping of settings (site_name: …, plugins: …)", path)
    lines = _plugin_lines(node)
    parent = config.pop("INHERIT", None)
    if parent:
        base, base_lines = _load_yaml(path.parent / str(parent))
        config = _merge(base, config)
        lines = {**base_lines, **lines}
    return config, lines


def _plugin_lines(node) -> dict:
    """Where the journal plugin and each of its options are written (1-based lines)."""
    import yaml

    lines: dict = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        if key.value != "plugins":
            continue
        items = value.value if isinstance(value, (yaml.SequenceNode, yaml.MappingNode)) else []
        for item in items:
            pairs = [item] if isinstance(value, yaml.MappingNode) else (
                item.value if isinstance(item, yaml.MappingNode) else [(item, None)])
            for name, options in pairs:
                if getattr(name, "value", None) != PLUGIN:
                    continue
                lines[("plugin",)] = name.start_mark.line + 1
                if isinstance(options, yaml.MappingNode):
                    for option, _ in options.value:
                        lines[("option", option.value)] = option.start_mark.line + 1
    return lines


def _merge(base: dict, override: dict) -> dict:
    """INHERIT as MkDocs does it: mappings merged deeply, anything else replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def find_runs_dir(journal: Path | None = None, start: Path | None = None) -> Path:
    """Where the recorder writes run folders: the runs folder the build reads.

    The journal folder is `journal`, else $MLJOURNAL_DIR, else the docs_dir of the nearest
    mkdocs.yml with the journal plugin, else `journal/` in the current folder or a parent.
    Its runs folder is the `runs` setting of the mkdocs.yml whose docs_dir it is.
    """
    here = (start or Path.cwd()).resolve()
    if journal is None and os.environ.get("MLJOURNAL_DIR"):
        journal = Path(os.environ["MLJOURNAL_DIR"])
    if journal is None:
        config = find_project_config(here)
        if config is not None:
            try:
                return load_project(config).settings.runs_dir
            except NotAJournalError:
                pass  # another site's mkdocs.yml: look for journal/ instead
        for folder in (here, *here.parents):
            if (folder / "journal").is_dir():
                journal = folder / "journal"
                break
        else:
            raise ConfigError(f"no journal/ folder in {here} or above it; pass journal=… or set MLJOURNAL_DIR "
                              "(or run `journal init`)")
    journal = Path(journal).resolve()
    for folder in (journal.parent, *journal.parent.parents):
        config = next((folder / n for n in CONFIG_NAMES if (folder / n).is_file()), None)
        if config is None:
            continue
        try:
            project = load_project(config)
        except NotAJournalError:
            break
        if project.docs_dir.resolve() == journal:
            return project.settings.runs_dir
        break
    return journal / "runs"


def markdown_extensions(config: dict) -> tuple[tuple[str, ...], dict[str, dict]]:
    """mkdocs.yml's `markdown_extensions` as (names, configs by name), as MkDocs reads them:
    a list of names or one-key mappings, or a mapping."""
    written = config.get("markdown_extensions") or []
    items = written.items() if isinstance(written, dict) else (
        next(iter(item.items())) if isinstance(item, dict) else (item, None) for item in written)
    names, configs = [], {}
    for name, options in items:
        names.append(str(name))
        if isinstance(options, dict):
            configs[str(name)] = {key: _resolved(value) for key, value in options.items()}
    return tuple(names), configs


PYTHON_NAME = "tag:yaml.org,2002:python/name:"


def _resolved(value: object) -> object:
    """`!!python/name:module.attr` as the object it names, as MkDocs loads it for Markdown."""
    if isinstance(value, Tagged) and value.tag.startswith(PYTHON_NAME):
        import importlib

        module, _, attribute = value.tag[len(PYTHON_NAME):].rpartition(".")
        try:
            return getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError, ValueError) as error:
            raise ConfigError(f"cannot load {value.tag[len(PYTHON_NAME):]} for markdown_extensions: {error}") from None
    return value


def dump_config(config: dict) -> str:
    """mkdocs.yml text for `config` (as `load_project` read it), tags written back."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def represent(dumper, data: Tagged):
        if isinstance(data.value, dict):
            return dumper.represent_mapping(data.tag, data.value)
        if isinstance(data.value, list):
            return dumper.represent_sequence(data.tag, data.value)
        return dumper.represent_scalar(data.tag, str(data.value))

    Dumper.add_representer(Tagged, represent)
    return yaml.dump(config, Dumper=Dumper, allow_unicode=True, sort_keys=False)
