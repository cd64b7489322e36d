"""One small exception hierarchy, and the warning record that travels beside results.

Library code raises these or returns `Diagnostic`s; only `cli.py` (and the MkDocs plugin,
through MkDocs' own logging) ever shows them to a person, as ``path:line: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def location(path: Path | str | None, line: int | None = None) -> str:
    """``path:line`` (or just ``path``) as shown to the user."""
    if path is None:
        return ""
    text = str(path)
    return f"{text}:{line}" if line else text


class JournalError(Exception):
    """Anything the journal refuses to do, with where it happened when that is known."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = location(self.path, self.line)
        return f"{where}: {self.message}" if where else self.message


class FrontMatterError(JournalError):
    """An entry's front matter cannot be read or does not fit the schema."""


class EntryError(JournalError):
    """An entry file cannot be read at all (encoding, size, missing front matter)."""


class InputError(JournalError):
    """An argument given on the command line that cannot be used (exit code 2)."""


class UnsafeIdError(InputError):
    """A model ID that cannot safely become a folder and a URL."""


class ConfigError(JournalError):
    """The journal's settings in mkdocs.yml are wrong."""


class BuildError(JournalError):
    """The site could not be built."""


@dataclass(frozen=True)
class Diagnostic:
    """A warning: something was skipped or ignored, and the rest went on."""

    message: str
    path: Path | str | None = None
    line: int | None = None

    @classmethod
    def from_error(cls, error: JournalError) -> Diagnostic:
        return cls(error.message, error.path, error.line)

    def __str__(self) -> str:
        where = location(self.path, self.line)
        return f"{where}: {self.message}" if where else self.message


def did_you_mean(name: str, known, cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the closest of `known`, or nothing."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


PER_FILE = 5  # warnings shown for one file; the rest are counted


def summarised(diagnostics: list[Diagnostic], most: int = PER_FILE) -> list[Diagnostic]:
    """At most `most` warnings per file, then one that counts the rest: a broken writer can
    make a file of a hundred thousand bad lines, and its first few say what is wrong."""
    counts: dict[str, int] = {}
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        key = str(diagnostic.path) if diagnostic.path is not None else ""
        counts[key] = counts.get(key, 0) + 1
        if not key or counts[key] <= most:
            kept.append(diagnostic)
    for key, count in counts.items():
        if key and count > most:
            kept.append(Diagnostic(f"{count - most} more warnings like these in this file, not shown", key))
    return kept
