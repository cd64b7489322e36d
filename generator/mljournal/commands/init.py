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


def init_project(folder: Path, workflow: bool = False) -> list[tuple[Path, str] | tuple[Path, str, str]]:
    """Create mkdocs.yml, journal/entries/, journal/runs/ and .gitignore rules (and, with
    `workflow`, a GitHub Actions workflow that publishes the journal to Pages).

    Returns (path, what happened) for each: 'created', 'kept' (it existed) or 'added to', and
    for the workflow written, what it chose (its branch, what it installs).
    """
    templates = resources.files("mljournal.templates")
    done: list = []
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
            branch, install = workflow_choices(folder)
            text = templates.joinpath("journal-workflow.yml").read_text(encoding="utf-8")
            text = text.replace("branches: [main]", f"branches: [{branch}]").replace(
                "push to main", f"push to {branch}").replace("pip install mljournal", f"pip install {install}")
            path.write_text(text, encoding="utf-8")
            done.append((path, "created", f"publishes pushes to {branch}; installs {install}"))
    return done


def workflow_choices(folder: Path) -> tuple[str, str]:
    """(the branch the workflow publishes from, what it pip-installs): the repository's
    current branch (else main), and the project's own requirements when they name mljournal,
    else this version of it, pinned (a later release could build another site)."""
    from mljournal import __version__

    try:
        branch = subprocess.run(["git", "branch", "--show-current"], cwd=folder, capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        branch = ""
    for name in ("requirements.txt", "requirements-docs.txt", "docs/requirements.txt"):
        listed = folder / name
        if listed.is_file() and re.search(r"^\s*mljournal\b", listed.read_text(encoding="utf-8", errors="replace"),
                                          re.M | re.I):
            return branch or "main", f"-r {name}"
    return branch or "main", f"'mljournal=={__version__}'"
