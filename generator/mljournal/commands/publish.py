"""`journal publish`: build strictly, check nothing secret or heavy is in it, push to gh-pages."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mljournal.commands.build import BuildReport, build_site
from mljournal.publishing.ghpages import PublishError, Published, publish_site, repository_of
from mljournal.publishing.scan import scan_site


@dataclass
class PublishReport:
    build: BuildReport
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
        return PublishReport(report, files, size, None, remote, branch)
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, capture_output=True, text=True)
    source = f" from {head.stdout.strip()}" if head.returncode == 0 else ""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    published = publish_site(
        repo, report.site_dir, remote=remote, branch=branch,
        message=message or f"Publish the journal{source} at {when}", force=force,
    )
    return PublishReport(report, files, size, published, remote, branch)


__all__ = ["PublishError", "publish"]
