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
    """(commit, uncommitted diff): the changes to tracked files and the new source files not
    yet added (new model code is the change a run is about). The journal's own folder is
    left out of the diff: the run is writing into it."""
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
    root = Path(top.strip()) if top else cwd
    diff = git(["diff", "HEAD", "--no-color", "--", *spec], root) or ""
    diff += untracked_diff(root, spec)
    if len(diff.encode()) > MAX_DIFF_BYTES:
        diff = diff.encode()[:MAX_DIFF_BYTES].decode("utf-8", errors="ignore") + "\n… (cut at 1 MiB)\n"
    commit = head.strip()
    return (f"{commit}-dirty" if diff else commit), diff


MAX_UNTRACKED_FILES = 20
MAX_UNTRACKED_BYTES = 100 * 1024  # per file: source, not data


def untracked_diff(root: Path, spec: list[str]) -> str:
    """New files git does not track and does not ignore, as `git diff` shows an added file:
    text files only, at most MAX_UNTRACKED_FILES of them, each at most MAX_UNTRACKED_BYTES;
    a note says what was left out."""
    listed = git(["ls-files", "--others", "--exclude-standard", "-z", "--", *spec], root)
    if not listed:
        return ""
    out, skipped = [], 0
    for name in sorted(filter(None, listed.split("\0"))):
        path = root / name
        try:
            data = path.read_bytes() if path.is_file() and path.stat().st_size <= MAX_UNTRACKED_BYTES else None
        except OSError:
            data = None
        text = None
        if data is not None and b"\0" not in data:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        if text is None or len(out) >= MAX_UNTRACKED_FILES:
            skipped += 1
            continue
        lines = text.splitlines()
        body = "".join(f"+{line}\n" for line in lines)
        end = "" if text.endswith("\n") or not text else "\\ No newline at end of file\n"
        out.append(f"diff --git a/{name} b/{name}\nnew file (not yet added to git)\n--- /dev/null\n+++ b/{name}\n"
                   f"@@ -0,0 +1,{len(lines)} @@\n{body}{end}")
    if skipped:
        out.append(f"# {skipped} more new files not shown (binary, over {MAX_UNTRACKED_BYTES >> 10} KiB, or past "
                   f"the first {MAX_UNTRACKED_FILES})\n")
    return "".join(out)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
