"""Put a built site on a `gh-pages` branch and push it, as GitHub Pages expects.

Git plumbing with a temporary index: the site folder becomes a tree (plus `.nojekyll`, so
GitHub serves folders that start with an underscore), committed on top of the branch's
last published commit, and pushed. The working tree and the current branch are never
touched. A remote branch with commits we do not have is not overwritten without `force`;
every failed git step raises PublishError with git's own message.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mljournal.errors import JournalError


class PublishError(JournalError):
    """Publishing was refused or a git step failed."""


@dataclass(frozen=True)
class Published:
    commit: str
    changed: bool  # False: the branch already held this exact site


def git(repo: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600
        )
    except FileNotFoundError:
        raise PublishError("git is not installed; install it to publish") from None
    except subprocess.TimeoutExpired:
        raise PublishError(f"git {args[0]} took over 10 minutes; check the network and the remote") from None
    if check and result.returncode != 0:
        raise PublishError(f"git {' '.join(args[:2])} failed: {git_message(result)}")
    return result


def git_message(result: subprocess.CompletedProcess) -> str:
    """What git said that matters: the remote's own words, errors and rejections."""
    lines = [line.strip() for line in (result.stderr or result.stdout).strip().splitlines() if line.strip()]
    kept = [line for line in lines if line.startswith(("remote:", "error:", "fatal:", "!"))] or lines[-3:]
    return " / ".join(dict.fromkeys(kept)) or "no message"


def repository_of(folder: Path) -> Path:
    found = git(folder, "rev-parse", "--show-toplevel", check=False)
    if found.returncode != 0:
        raise PublishError(f"{folder} is not inside a git repository; `git init` and add a remote to publish")
    return Path(found.stdout.strip())


def uncommitted_files(repo: Path, folder: Path) -> list[str]:
    """The files under `folder` that the repository's last commit does not hold as they are:
    changed, added or new, ignored ones left out (paths relative to the repository)."""
    listed = git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", str(folder), check=False)
    if listed.returncode != 0:
        return []
    found = []
    records = iter(listed.stdout.split("\0"))
    for record in records:
        if len(record) < 4:
            continue
        found.append(record[3:])
        if record[0] in "RC":  # a rename's record is followed by its old name
            next(records, None)
    return sorted(found)


def check_remote(repo: Path, remote: str) -> None:
    if git(repo, "remote", "get-url", remote, check=False).returncode != 0:
        raise PublishError(f"the repository has no remote '{remote}'; add one with `git remote add {remote} URL`")


def publish_site(repo: Path, site_dir: Path, *, remote: str, branch: str, message: str, force: bool) -> Published:
    check_remote(repo, remote)
    (site_dir / ".nojekyll").touch()

    fetched = git(repo, "fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}",
                  check=False)
    if fetched.returncode != 0 and "couldn't find remote ref" not in fetched.stderr:
        raise PublishError(f"git fetch {remote} failed: {git_message(fetched)}")
    remote_tip = _rev(repo, f"refs/remotes/{remote}/{branch}") if fetched.returncode == 0 else None
    local_tip = _rev(repo, f"refs/heads/{branch}")
    if remote_tip and local_tip and not _is_ancestor(repo, remote_tip, local_tip):
        if not force:
            raise PublishError(
                f"{remote}/{branch} has commits that this repository's {branch} does not (published from elsewhere?); "
                f"look at them with `git log {local_tip[:12]}..{remote}/{branch}`, or pass --force to replace them"
            )
        local_tip = remote_tip  # build on what is there; the push is then a fast-forward
    parent = local_tip or remote_tip

    with tempfile.TemporaryDirectory(prefix="mljournal-index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git(repo, f"--work-tree={site_dir}", "add", "--all", "--force", ".", env=env)
        tree = git(repo, "write-tree", env=env).stdout.strip()
    if parent and git(repo, "rev-parse", f"{parent}^{{tree}}").stdout.strip() == tree and remote_tip == parent:
        return Published(parent, changed=False)
    args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
    commit = git(repo, *args, env=_identity(repo)).stdout.strip()
    git(repo, "update-ref", f"refs/heads/{branch}", commit)
    git(repo, "push", "--quiet", remote, f"{commit}:refs/heads/{branch}")
    return Published(commit, changed=True)


def _rev(repo: Path, ref: str) -> str | None:
    found = git(repo, "rev-parse", "--verify", "--quiet", ref, check=False)
    return found.stdout.strip() or None


def _is_ancestor(repo: Path, older: str, newer: str) -> bool:
    return git(repo, "merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def _identity(repo: Path) -> dict:
    """The user's git identity, or a stand-in so a fresh CI machine can still commit."""
    env = {}
    if not git(repo, "config", "user.name", check=False).stdout.strip():
        env.update(GIT_AUTHOR_NAME="mljournal", GIT_COMMITTER_NAME="mljournal")
    if not git(repo, "config", "user.email", check=False).stdout.strip():
        env.update(GIT_AUTHOR_EMAIL="mljournal@localhost", GIT_COMMITTER_EMAIL="mljournal@localhost")
    return env
