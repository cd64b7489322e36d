"""The journal's settings, as plain data: what the core needs, whatever engine builds the site.

The MkDocs plugin (`site/config.py`) declares and validates the user-facing schema and turns
it into a `Settings`; any other site engine would do the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class Settings:
    journal_dir: Path
    cache_dir: Path
    entries_folder: str = "entries"
    runs_folder: str = "runs"
    sections: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_SECTIONS))
    key_metrics: tuple[str, ...] = ()
    metric_goals: dict[str, str] = field(default_factory=dict)  # metric -> "min" | "max"
    # the same quantity under other tools' names: {"val_loss": ("eval_loss", "validation/epoch_loss")}
    metric_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    timeline_page_size: int = 50
    conclusions_page_size: int = 40  # models per page of the conclusion table
    plot_format: str = "svg"  # "svg" (drawn by svg_plots) or "png" (drawn by matplotlib)
    timezone: str = "UTC"  # how to read a date written without a zone
    raw_html: bool = True  # authors are trusted; False shows their HTML as text

    @property
    def entries_dir(self) -> Path:
        return self.journal_dir / self.entries_folder

    @property
    def runs_dir(self) -> Path:
        return self.journal_dir / self.runs_folder

    def section_heading(self, section: str) -> str:
        return self.sections[section][0]


def same_metric_groups(aliases: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every name in an alias group -> the group, the shown (canonical) name first."""
    groups: dict[str, tuple[str, ...]] = {}
    for canonical, others in aliases.items():
        group = (canonical, *[o for o in others if o != canonical])
        for name in group:
            groups[name] = group
    return groups
