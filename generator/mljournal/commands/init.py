"""`journal init`: a working journal in the current folder, never overwriting anything."""

from __future__ import annotations

import re
import subprocess
from importlib import resources
from pathlib import Path

GITIGNORE_MARKER = "# mljournal:"


WORKFLOW = Path(".github/workflows/journal.yml")
SITE_URL_PLACEHOLDER = "# site_url: https://YOUR-NAME.github.io/YOUR-REPO/"
_GITHUB = re.compile(r"github\.com[:/]([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?$")


def pages_address(folder: Path) -> str | None:
    """Where GitHub Pages will publish the repository `folder` is in, from its `origin`
    remote: https://NAME.github.io/REPO/ (https://NAME.github.io/ for NAME.github.io)."""
    try:
        remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=folder, capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    match = _GITHUB.search(remote)
    if not match:
        return None
    owner, repository = match.groups()
    if repository.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{repository}/"


def init_project(folder: Path, workflow: bool = False) -> list[tuple[Path, str]]:
    """Create mkdocs.yml, journal/entries/, journal/runs/ and .gitignore rules (and, with
    `workflow`, a GitHub Actions workflow that publishes the journal to Pages).

    Returns (path, what happened) for each: 'created', 'kept' (it existed) or 'added to'.
    """
    templates = resources.files("mljournal.templates")
    done: list[tuple[Path, str]] = []
    config = folder / "mkdocs.yml"
    if config.exists() or (folder / "mkdocs.yaml").exists():
        done.append((config, "kept"))
    else:
        text = templates.joinpath("mkdocs.yml").read_text(encoding="utf-8")
        address = pages_address(folder)
        if address:  # the feed and the 404 page need it; a GitHub remote says what it will be
            text = text.replace(SITE_URL_PLACEHOLDER, f"site_url: {address}")
        config.write_text(text, encoding="utf-8")
        done.append((config, "created"))
    for sub in ("entries", "runs"):
        path = folder / "journal" / sub
        existed = path.is_dir()
        path.mkdir(parents=True, exist_ok=True)
        (path / ".gitkeep").touch()
        done.append((path, "kept" if existed else "created"))
    ignore = folder / ".gitignore"
    rules = templates.joinpath("gitignore").read_text(encoding="utf-8")
    if not ignore.exists():
        ignore.write_text(rules, encoding="utf-8")
        done.append((ignore, "created"))
    elif GITIGNORE_MARKER in ignore.read_text(encoding="utf-8", errors="replace"):
        done.append((ignore, "kept"))
    else:
        with open(ignore, "a", encoding="utf-8") as handle:
            handle.write("\n" + rules)
        done.append((ignore, "added to"))
    if workflow:
        path = folder / WORKFLOW
        if path.exists():
            done.append((path, "kept"))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(templates.joinpath("journal-workflow.yml").read_text(encoding="utf-8"), encoding="utf-8")
            done.append((path, "created"))
    return done
