"""Refusing outputs that would destroy something: the site folder is wiped on every build."""

from __future__ import annotations

from pathlib import Path

from mljournal.errors import ConfigError


def check_site_dir(site_dir: Path, journal_dir: Path, project_dir: Path) -> None:
    site = site_dir.resolve()
    journal = journal_dir.resolve()
    dangerous = {
        project_dir.resolve(): "the project folder",
        Path.home().resolve(): "your home folder",
        Path(site.anchor): "the root of the file system",
    }
    if site in dangerous:
        raise ConfigError(
            f"site_dir '{site_dir}' is {dangerous[site]}, which the build would wipe; use a folder such as 'site'"
        )
    if site == journal or journal.is_relative_to(site) or site.is_relative_to(journal):
        raise ConfigError(
            f"site_dir '{site_dir}' overlaps the journal folder '{journal_dir}', which the build would "
            "wipe or fill; use a folder such as 'site' next to it"
        )
