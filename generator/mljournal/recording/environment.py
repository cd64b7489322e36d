"""What a run records about where it ran: command line, git commit and uncommitted diff,
Python and the versions of the packages that matter. Every probe is bounded in time and
never fails the run: a missing git or package is simply not recorded."""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

KEY_PACKAGES = ("torch", "transformers", "lightning", "pytorch-lightning", "tensorflow", "keras", "jax",
                "numpy", "scikit-learn", "pandas", "accelerate", "datasets", "mlflow", "mljournal")
MAX_DIFF_BYTES = 1024 * 1024


def command_line() -> str:
    """How this process was started; a notebook says so, since its argv is the kernel's."""
    if "ipykernel" in sys.modules or "google.colab" in sys.modules:
        return "(notebook)"
    program = os.path.basename(sys.executable) if sys.argv and sys.argv[0].endswith(".py") else ""
    return shlex.join([p for p in [program, *sys.argv] if p])


def git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def git_state(cwd: Path, leave_out: Path | None = None) -> tuple[str | None, str]:
    """(commit, uncommitted diff of tracked files). The journal's own folder is left out of
    the diff: the run is writing into it."""
    head = git(["rev-parse", "HEAD"], cwd)
    if head is None:
        return None, ""
    top = git(["rev-parse", "--show-toplevel"], cwd)
    spec = ["."]
    if leave_out is not None and top:
        try:
            spec.append(f":(exclude){leave_out.resolve().relative_to(Path(top.strip()).resolve()).as_posix()}")
        except ValueError:
            pass
    diff = git(["diff", "HEAD", "--no-color", "--", *spec], Path(top.strip()) if top else cwd) or ""
    if len(diff.encode()) > MAX_DIFF_BYTES:
        diff = diff.encode()[:MAX_DIFF_BYTES].decode("utf-8", errors="ignore") + "\n… (cut at 1 MiB)\n"
    commit = head.strip()
    return (f"{commit}-dirty" if diff else commit), diff


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
