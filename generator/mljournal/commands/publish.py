"""`journal publish`: build strictly, check nothing secret or heavy is in it, push to gh-pages."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mljournal.commands.build import BuildReport, build_site
from mljournal.project import load_project
from mljournal.publishing.ghpages import PublishError, Published, check_remote, publish_site, repository_of, uncommitted_files
from mljournal.publishing.scan import scan_site


@dataclass
class PublishReport:
    build: BuildReport
    uncommitted: list[str]  # journal files published as they are on disk, not as committed
    files: int
    bytes: int
    published: Published | None  # None for a dry run
    remote: str
    branch: str


def publish(
    config_file: Path,
    *,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    force: bool = False,
    allow_warnings: bool = False,
    check_secrets: bool = True,
    dry_run: bool = False,
    allow_uncommitted: bool = False,
) -> PublishReport:
    """Build, check, push. A dry run builds and checks only (CI uploads the site itself)."""
    repo = None if dry_run else repository_of(config_file.parent.resolve())
    report = build_site(config_file, strict=not allow_warnings)
    findings, files, size = scan_site(report.site_dir, check_tokens=check_secrets)
    if findings:
        listed = "\n  ".join(str(f) for f in findings[:20])
        more = f"\n  … and {len(findings) - 20} more" if len(findings) > 20 else ""
        raise PublishError(
            f"refusing to publish {report.site_dir}: it holds what must not go public:\n  {listed}{more}\n"
            "Remove it from the journal (or from docs_dir) and publish again."
        )
    if repo is None:
        return PublishReport(report, [], files, size, None, remote, branch)
    check_remote(repo, remote)
    uncommitted = uncommitted_files(repo, load_project(config_file).docs_dir)
    if uncommitted and not allow_uncommitted:
        listed = "\n  ".join(uncommitted[:20]) + (f"\n  … and {len(uncommitted) - 20} more" if len(uncommitted) > 20 else "")
        raise PublishError(
            f"refusing to publish: {len(uncommitted)} journal files are not committed, so the site would show what "
            f"no commit holds:\n  {listed}\nCommit them first, or pass --allow-uncommitted to publish them as they are."
        )
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, capture_output=True, text=True)
    source = f" from {head.stdout.strip()}" if head.returncode == 0 else ""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = message or f"Publish the journal{source} at {when}"
    if uncommitted:  # the published commit says which files no source commit holds
        text += (f"\n\nWith {len(uncommitted)} journal files not committed{source and ' in ' + source[6:]}:\n"
                 + "".join(f"  {name}\n" for name in uncommitted[:100])
                 + (f"  … and {len(uncommitted) - 100} more\n" if len(uncommitted) > 100 else ""))
    published = publish_site(repo, report.site_dir, remote=remote, branch=branch, message=text, force=force)
    return PublishReport(report, uncommitted, files, size, published, remote, branch)


__all__ = ["PublishError", "publish"]
