"""The journal's settings: each option declared once, with its type, default, check and doc.

The options are the fields of `Settings` marked with `option(...)`; their values come from
the `journal` entry of `plugins:` in mkdocs.yml (`project.py` reads it without any site
engine; the MkDocs plugin derives its config class from the same fields). `read_settings`
validates a mapping of them once, naming the option that is wrong and suggesting the one
that was meant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

from mljournal.errors import did_you_mean

# Canonical section -> the headings that mean it. The first name is the one templates write.
DEFAULT_SECTIONS: dict[str, tuple[str, ...]] = {
    "hypothesis": ("Hypothesis", "Goal"),
    "conclusion": ("Conclusion", "Conclusions"),
    "results": ("Results",),
    "training": ("Training command", "Training"),
    "prediction": ("Prediction command", "Prediction"),
    "problems": ("Problems met", "Problems"),
}

STATUSES = ("planned", "running", "done", "abandoned", "buggy")
ENGINES = ("mkdocs", "zensical")


class OptionError(ValueError):
    """A value that does not fit its option; the message says what would."""


# -- checks: each takes the value as YAML gave it and returns it normalised, or raises -----

def _folder(value: object) -> str:
    if not isinstance(value, str) or not value.strip("/ "):
        raise OptionError("expected a folder name inside docs_dir, such as 'runs'")
    folder = value.strip().strip("/")
    if folder.startswith("..") or "/../" in f"/{folder}/" or Path(folder).is_absolute():
        raise OptionError(f"'{value}' must be a folder inside docs_dir, not outside it")
    return folder


def _sections(value: object) -> dict[str, tuple[str, ...]]:
    """The author's headings come first (templates write the first one); the English
    defaults are always recognised too."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise OptionError("expected a mapping of section name to a list of headings")
    merged = {name: list(headings) for name, headings in DEFAULT_SECTIONS.items()}
    for name, headings in value.items():
        if name not in DEFAULT_SECTIONS:
            raise OptionError(f"unknown section '{name}'{did_you_mean(str(name), DEFAULT_SECTIONS)}; "
                              f"the sections are: {', '.join(DEFAULT_SECTIONS)}")
        if isinstance(headings, str):
            headings = [headings]
        if not isinstance(headings, list) or not all(isinstance(h, str) and h.strip() for h in headings):
            raise OptionError(f"sections.{name} must be a list of headings")
        merged[name] = list(dict.fromkeys([h.strip() for h in headings] + merged[name]))
    return {name: tuple(headings) for name, headings in merged.items()}


def _names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise OptionError("expected a list of metric names")
    return tuple(v.strip() for v in value)


def _goals(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(v in ("min", "max") for v in value.values()):
        raise OptionError("expected a mapping of metric name to 'min' or 'max'")
    return {str(k): v for k, v in value.items()}


def _aliases(value: object) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OptionError("expected a mapping of metric name to a list of other names for it")
    seen: dict[str, str] = {}
    out: dict[str, tuple[str, ...]] = {}
    for canonical, others in value.items():
        if isinstance(others, str):
            others = [others]
        if not isinstance(others, list) or not all(isinstance(o, str) and o.strip() for o in others):
            raise OptionError(f"metric_aliases.{canonical} must be a list of metric names")
        for name in [str(canonical), *others]:
            if name in seen and seen[name] != str(canonical):
                raise OptionError(f"'{name}' is in two alias groups: {seen[name]} and {canonical}")
            seen[name] = str(canonical)
        out[str(canonical)] = tuple(o.strip() for o in others)
    return out


def _positive(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptionError("expected a whole number of at least 1")
    return value


def _choice(*choices: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in choices:
            raise OptionError(f"expected one of: {', '.join(choices)}")
        return str(value)

    return check


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OptionError("expected a text value")
    return value.strip()


def _timezone(value: object) -> str:
    name = _text(value)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OptionError(f"unknown time zone '{name}'; use a name such as 'Europe/Warsaw' or 'UTC'") from None
    return name


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise OptionError("expected true or false")
    return value


def _path(value: object) -> Path:
    return Path(_text(value))


def option(name: str, default: object, check: Callable[[object], object], doc: str):
    """A setting of mkdocs.yml's `journal` plugin entry: its name there, default, check, doc."""
    metadata = {"option": name, "check": check, "doc": doc}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: check(default), metadata=metadata)
    return field(default=check(default), metadata=metadata)


@dataclass(frozen=True)
class Settings:
    journal_dir: Path  # docs_dir: not an option of the plugin, but of the site
    cache_dir: Path = option("cache_dir", ".cache/mljournal", _path,
                             "Plots, thumbnails and parsed runs, kept between builds; relative to mkdocs.yml.")
    entries_folder: str = option("entries", "entries", _folder, "Folder of entries, inside docs_dir.")
    runs_folder: str = option("runs", "runs", _folder, "Folder of run folders, inside docs_dir.")
    sections: dict[str, tuple[str, ...]] = option(
        "sections", {}, _sections, "Your headings for each section; English always works.")
    key_metrics: tuple[str, ...] = option(
        "key_metrics", [], _names, "Home-table columns; default: up to 3 held-out metrics most runs have.")
    metric_goals: dict[str, str] = option(
        "metric_goals", {}, _goals, "Which way is better (min or max), where a metric's name does not say.")
    metric_aliases: dict[str, tuple[str, ...]] = option(
        "metric_aliases", {}, _aliases, "One quantity under several tools' names, compared as one.")
    timeline_page_size: int = option(
        "timeline_page_size", 50, _positive, "Most entries on one timeline page; a month with more is split.")
    conclusions_page_size: int = option(
        "conclusions_page_size", 40, _positive, "Models per page of the conclusion table (most recent first).")
    plot_format: str = option(
        "plot_format", "svg", _choice("svg", "png"), "Metric plots as SVG (fast, small) or PNG drawn by matplotlib.")
    timezone: str = option("timezone", "UTC", _timezone, "How to read an entry date written without a zone.")
    raw_html: bool = option(
        "raw_html", True, _flag, "HTML in entries is kept (authors are trusted); false shows it as text.")
    search: str = option("search", "auto", _choice("auto", "material", "pagefind"),
                         "Material's search, or Pagefind's chunked index (mljournal[pagefind]); auto: "
                         "Pagefind from 1,000 entries when it is installed.")
    engine: str = option("engine", "mkdocs", _choice(*ENGINES),
                         "The site engine `journal build` and `journal serve` use: mkdocs or zensical.")

    @property
    def entries_dir(self) -> Path:
        return self.journal_dir / self.entries_folder

    @property
    def runs_dir(self) -> Path:
        return self.journal_dir / self.runs_folder

    def section_heading(self, section: str) -> str:
        return self.sections[section][0]


@dataclass(frozen=True)
class OptionSpec:
    name: str  # as written in mkdocs.yml
    attribute: str  # on Settings
    default: object
    check: Callable[[object], object]
    doc: str


OPTIONS: dict[str, OptionSpec] = {
    f.metadata["option"]: OptionSpec(
        f.metadata["option"], f.name, f.default_factory() if f.default is MISSING else f.default,
        f.metadata["check"], f.metadata["doc"],
    )
    for f in fields(Settings)
    if "option" in f.metadata
}


class SettingsError(ValueError):
    """An option of the journal plugin is unknown or wrong; `option` names it."""

    def __init__(self, message: str, option: str | None) -> None:
        super().__init__(message)
        self.option = option


def read_settings(values: dict, journal_dir: Path, project_dir: Path) -> Settings:
    """Settings from the `journal` plugin's options as written (validated here, once)."""
    if not isinstance(values, dict):
        raise SettingsError("the journal plugin's options must be a mapping of option: value", None)
    chosen: dict[str, object] = {}
    for name, value in values.items():
        spec = OPTIONS.get(name)
        if spec is None:
            raise SettingsError(f"unknown option '{name}' of the journal plugin{did_you_mean(str(name), OPTIONS)}; "
                                f"the options are: {', '.join(OPTIONS)}", str(name))
        try:
            chosen[spec.attribute] = spec.check(value)
        except OptionError as error:
            raise SettingsError(f"journal option '{name}': {error}", str(name)) from None
    cache = Path(chosen.pop("cache_dir", OPTIONS["cache_dir"].default))  # type: ignore[arg-type]
    return Settings(journal_dir=Path(journal_dir), cache_dir=(project_dir / cache).resolve(), **chosen)  # type: ignore[arg-type]


