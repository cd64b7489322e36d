"""`journal entry ID`: a new dated entry, pre-filled, never overwriting one that exists."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mljournal.errors import JournalError, did_you_mean
from mljournal.ids import check_model_id, split_family
from mljournal.reading.entries import read_entries
from mljournal.reading.runs import read_runs
from mljournal.reading.sections import CARD_HINTS, CARD_ORDER, LATER_HINT
from mljournal.settings import Settings

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


@dataclass(frozen=True)
class WrittenEntry:
    path: Path
    warnings: list[str]  # said at once, not at the next build: a parent no model has


def create_entry(
    settings: Settings,
    project_dir: Path,
    model_id: str,
    *,
    parent: str | None = None,
    tags: tuple[str, ...] = (),
    message: str | None = None,
    sections: dict[str, str] | None = None,
    now: datetime | None = None,
) -> WrittenEntry:
    """Write the entry file. Raises UnsafeIdError for a bad ID, and JournalError for an ID
    that differs from a known model's only in case (the build would refuse it).

    With `message` or `sections` (section name -> text) no editor is meant: a model's first
    entry is its card with those sections filled (the message is its hypothesis unless one
    is given) and the unfilled ones left out; a later entry is the message, then the sections.
    """
    check_model_id(model_id)
    if parent is not None:
        check_model_id(parent)
    sections = {name: text.strip() for name, text in (sections or {}).items() if text and text.strip()}
    unknown = [name for name in sections if name not in CARD_ORDER]
    if unknown:
        raise JournalError(f"unknown section '{unknown[0]}'; the sections are: {', '.join(CARD_ORDER)}")
    now = (now or datetime.now()).astimezone().replace(microsecond=0)
    entries, _ = read_entries(settings, project_dir)
    runs = read_runs(settings.runs_dir, project_dir)[0]
    known = {m for entry in entries for m in entry.models} | set(runs)
    twin = next((m for m in sorted(known) if m.casefold() == model_id.casefold() and m != model_id), None)
    if twin:
        raise JournalError(f"model '{model_id}' differs from the known '{twin}' only in case, and both would be one "
                           f"page; write `journal entry {twin}`")
    warnings = []
    if parent is not None and parent not in known:
        warnings.append(f"parent '{parent}' is no model the journal knows yet"
                        f"{did_you_mean(parent, sorted(known), cutoff=0.7)}; the entry names it all the same")
    about = [e for e in entries if model_id in e.models]
    if parent is None:
        parent = guess_parent(model_id, entries, runs)
    lines = ["---", f"date: {now.isoformat(sep=' ')}", f"model: {_scalar(model_id)}"]
    if parent:
        lines.append(f"parent: {_scalar(parent)}")
    if tags:
        lines.append("tags: [" + ", ".join(_scalar(t) for t in tags) + "]")
    commit = git_commit(project_dir)
    if commit:
        lines.append(f"commit: {commit}")
    lines.append("---")
    said = message.strip() if message is not None else ""
    if not about and (said or sections):
        if said and "hypothesis" not in sections:  # the quickest first entry still fills the table
            sections = {"hypothesis": said, **sections}
            said = ""
        body = (said + "\n\n" if said else "") + _sections_text(settings, sections)
    elif message is not None or sections:
        body = "\n".join(part for part in (said + "\n" if said else "", _sections_text(settings, sections)) if part)
    elif about:
        body = LATER_HINT + "\n\n"
    else:
        body = experiment_card(settings)
    text = "\n".join(lines) + "\n" + body
    folder = settings.entries_dir / now.strftime("%Y-%m")
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{now:%Y-%m-%d}-{model_id}"
    for number in range(1, 1000):
        path = folder / (f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
        try:
            with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
                handle.write(text)
            return WrittenEntry(path, warnings)
        except FileExistsError:
            continue
    raise JournalError(f"too many entries named {stem}-N.md in {folder}")


def _sections_text(settings: Settings, texts: dict[str, str]) -> str:
    """The given sections under their headings, in the card's order."""
    return "\n".join(f"## {settings.section_heading(name)}\n\n{texts[name]}\n" for name in CARD_ORDER if name in texts)


def guess_parent(model_id: str, entries, runs) -> str | None:
    """The parent the model already has; else the previous model of its family by number
    (tcn-7 -> tcn-6, or the highest below 7); else the family's most recently active model."""
    for entry in reversed(entries):
        if model_id in entry.models and entry.parent:
            return entry.parent
    if any(model_id in entry.models for entry in entries):
        return None
    family, number = split_family(model_id)
    latest: dict[str, datetime] = {}
    for entry in entries:
        for other in entry.models:
            latest[other] = entry.date
    family_ids = [m for m in set(latest) | set(runs) if m != model_id and split_family(m)[0] == family]
    if number is not None:  # tcn-7 comes from the highest-numbered tcn below 7
        below = [m for m in family_ids if (split_family(m)[1] or -1) < number]
        if below:
            return max(below, key=lambda m: (split_family(m)[1], m))
    if not family_ids:
        return None
    never = datetime.min.replace(tzinfo=timezone.utc)
    return max(family_ids, key=lambda m: (latest.get(m, never), m))


def experiment_card(settings: Settings) -> str:
    return "\n".join(f"## {settings.section_heading(name)}\n\n{CARD_HINTS[name]}\n" for name in CARD_ORDER)


def git_commit(project_dir: Path) -> str | None:
    """The short commit of the project's repository, '-dirty' when it has uncommitted changes."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=project_dir, capture_output=True, text=True, timeout=5
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=project_dir, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _scalar(value: str) -> str:
    if _PLAIN.match(value) and value.lower() not in _YAML11_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)
