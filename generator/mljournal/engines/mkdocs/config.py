"""The `journal` plugin's options in mkdocs.yml: declared once, validated by MkDocs."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from mljournal.settings import DEFAULT_SECTIONS, Settings


class SectionNames(c.BaseConfigOption[dict]):
    """``sections: {conclusion: [Wnioski, 結論], …}``: headings that mean each section.

    The author's names come first (templates write the first one); the English defaults
    are always recognised too.
    """

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise c.ValidationError("expected a mapping of section name to a list of headings")
        merged = {name: list(headings) for name, headings in DEFAULT_SECTIONS.items()}
        for name, headings in value.items():
            if name not in DEFAULT_SECTIONS:
                raise c.ValidationError(
                    f"unknown section '{name}'; the sections are: {', '.join(DEFAULT_SECTIONS)}"
                )
            if isinstance(headings, str):
                headings = [headings]
            if not isinstance(headings, list) or not all(isinstance(h, str) and h.strip() for h in headings):
                raise c.ValidationError(f"sections.{name} must be a list of headings")
            merged[name] = list(dict.fromkeys([h.strip() for h in headings] + merged[name]))
        return {name: tuple(headings) for name, headings in merged.items()}


class MetricGoals(c.BaseConfigOption[dict]):
    """``metric_goals: {val_loss: min, bleu: max}``: which way is better, where names mislead."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(v in ("min", "max") for v in value.values()):
            raise c.ValidationError("expected a mapping of metric name to 'min' or 'max'")
        return {str(k): v for k, v in value.items()}


class MetricAliases(c.BaseConfigOption[dict]):
    """``metric_aliases: {val_loss: [eval_loss, eval/loss]}``: one quantity under several
    tools' names, compared as one on the home table and in the parent's plots."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise c.ValidationError("expected a mapping of metric name to a list of other names for it")
        seen: dict[str, str] = {}
        out: dict[str, tuple[str, ...]] = {}
        for canonical, others in value.items():
            if isinstance(others, str):
                others = [others]
            if not isinstance(others, list) or not all(isinstance(o, str) and o.strip() for o in others):
                raise c.ValidationError(f"metric_aliases.{canonical} must be a list of metric names")
            for name in [str(canonical), *others]:
                if name in seen and seen[name] != str(canonical):
                    raise c.ValidationError(f"'{name}' is in two alias groups: {seen[name]} and {canonical}")
                seen[name] = str(canonical)
            out[str(canonical)] = tuple(o.strip() for o in others)
        return out


class JournalConfig(base.Config):
    entries = c.Type(str, default="entries")
    """Folder of entries, inside docs_dir (the journal folder)."""
    runs = c.Type(str, default="runs")
    """Folder of run folders, inside docs_dir."""
    sections = SectionNames()
    key_metrics = c.ListOfItems(c.Type(str), default=[])
    """Metrics shown on the home table; default: up to 3 held-out metrics most runs have."""
    metric_goals = MetricGoals()
    metric_aliases = MetricAliases()
    timeline_page_size = c.Type(int, default=50)
    """Most entries on one timeline page; a month with more is split."""
    plot_format = c.Choice(("svg", "png"), default="svg")
    """Metric plots as SVG (fast, small, sharp at any zoom) or PNG drawn by matplotlib."""
    conclusions_page_size = c.Type(int, default=40)
    """Models per page of the conclusion table (the home page shows the most recent)."""
    timezone = c.Type(str, default="UTC")
    """How to read an entry date written without a zone."""
    raw_html = c.Type(bool, default=True)
    """Raw HTML in entries is kept (authors are trusted, as in MkDocs); false shows it as text."""
    cache_dir = c.Type(str, default=".cache/mljournal")
    """Plots and thumbnails, kept between builds; relative to mkdocs.yml."""


def settings_from(config: JournalConfig, docs_dir: str, config_file: str | None) -> Settings:
    project = Path(config_file).parent if config_file else Path.cwd()
    return Settings(
        journal_dir=Path(docs_dir),
        cache_dir=(project / config.cache_dir).resolve(),
        entries_folder=config.entries.strip("/"),
        runs_folder=config.runs.strip("/"),
        sections=config.sections,
        key_metrics=tuple(config.key_metrics),
        metric_goals=config.metric_goals,
        metric_aliases=config.metric_aliases,
        timeline_page_size=max(1, config.timeline_page_size),
        conclusions_page_size=max(1, config.conclusions_page_size),
        plot_format=config.plot_format,
        timezone=config.timezone,
        raw_html=config.raw_html,
    )
