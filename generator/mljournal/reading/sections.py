"""Recognised sections of an entry body: "## Hypothesis", "## 結論", … -> canonical names."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


# What `journal entry` writes under each heading of a new card: the author's to replace.
# Left as written, it is no content: the section counts as empty (a hint is never a
# hypothesis in the table), and a hint sentence left in an entry is warned about.
CARD_HINTS: dict[str, str] = {
    "hypothesis": "What this model should show, in one or two sentences.",
    "results": "| checkpoint | metric |\n|---|---|\n|  |  |",
    "conclusion": "Two or three sentences that answer the hypothesis.",
    "training": "```bash\n\n```",
    "prediction": "```bash\n\n```",
    "problems": "What went wrong, and how it was solved.",
}
CARD_ORDER = ("hypothesis", "results", "conclusion", "training", "prediction", "problems")
LATER_HINT = "<!-- What changed, what you saw, what you think now. -->"
_SENTENCES = frozenset(hint for hint in CARD_HINTS.values() if not hint.startswith(("|", "`")))


def is_placeholder(text: str) -> bool:
    """Text that `journal entry` wrote and nobody filled in."""
    return _squeezed(text) in _PLACEHOLDERS


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


_PLACEHOLDERS = frozenset(_squeezed(hint) for hint in [*CARD_HINTS.values(), LATER_HINT])


@dataclass(frozen=True)
class Section:
    name: str  # canonical: "hypothesis", "conclusion", …
    heading: str  # as the author wrote it
    text: str  # the Markdown under the heading, up to the next heading of the same or higher level
    line: int  # body-relative, 1-based line of the heading


def heading_lookup(sections: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Normalised heading text -> canonical section name."""
    return {_normalise(h): name for name, headings in sections.items() for h in headings}


def find_sections(body: str, lookup: dict[str, str]) -> list[Section]:
    """The recognised sections of `body`, in order. Headings inside code fences do not count."""
    lines = body.split("\n")
    headings: list[tuple[int, int, str]] = []  # (line index, level, text)
    for index, line, fenced in code_fences(lines):
        match = None if fenced else _HEADING.match(line)
        if match:
            headings.append((index, len(match.group(1)), match.group(2)))
    found: list[Section] = []
    for position, (index, level, text) in enumerate(headings):
        name = lookup.get(_normalise(text))
        if name is None:
            continue
        end = len(lines)
        for later_index, later_level, _ in headings[position + 1 :]:
            if later_level <= level:
                end = later_index
                break
        content = "\n".join(lines[index + 1 : end]).strip()
        if content and not is_placeholder(content):
            found.append(Section(name, text, content, index + 1))
    return found


@dataclass(frozen=True)
class Heading:
    text: str
    line: int  # body-relative, 1-based


def headings(body: str) -> list[Heading]:
    """Every Markdown heading of `body` outside code fences."""
    found = []
    for index, line, fenced in code_fences(body.split("\n")):
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append(Heading(match.group(2), index + 1))
    return found


def template_left(body: str) -> list[int]:
    """The body lines that still hold a hint sentence of the card, as `journal entry` wrote it."""
    return [number for number, line in enumerate(body.split("\n"), start=1) if line.strip() in _SENTENCES]


def near_misses(body: str, sections: dict[str, tuple[str, ...]]) -> list[tuple[Heading, str]]:
    """Headings that are not a known section but nearly are (``## Hypotesis``): each with the
    heading meant, as the settings write it."""
    known = _known_headings(tuple((name, tuple(names)) for name, names in sections.items()))
    found = []
    for heading in headings(body):
        meant = _closest(_normalise(heading.text), known)
        if meant is not None:
            found.append((heading, meant))
    return found


@functools.lru_cache(maxsize=8)
def _known_headings(sections: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, str], ...]:
    """(normalised, as written) for every heading of the settings' sections."""
    return tuple({_normalise(h): h for _, names in sections for h in names}.items())


@functools.lru_cache(maxsize=4096)  # a journal's headings repeat: ten thousand entries, a few dozen texts
def _closest(key: str, known: tuple[tuple[str, str], ...]) -> str | None:
    """The known heading `key` nearly is; None when it is one, or is none."""
    import difflib

    written = dict(known)
    if key in written:
        return None
    close = difflib.get_close_matches(key, list(written), n=1, cutoff=0.8)
    return written[close[0]] if close else None


def code_fences(lines: list[str]) -> Iterator[tuple[int, str, bool]]:
    """(index, line, whether it is part of a code fence, the fence lines included)."""
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
                yield index, line, True
                continue
            if marker.startswith(fence):
                fence = None
                yield index, line, True
                continue
        yield index, line, fence is not None


def first_paragraph(text: str) -> tuple[str, bool]:
    """(the Markdown up to the first blank line, whether anything follows); a code fence is
    kept whole."""
    lines = text.strip().split("\n")
    for index, line, fenced in code_fences(lines):
        if not fenced and not line.strip():
            return "\n".join(lines[:index]), bool("\n".join(lines[index:]).strip())
    return text.strip(), False


def _normalise(heading: str) -> str:
    text = unicodedata.normalize("NFKC", heading).casefold().strip()
    return text.rstrip(":：").strip()
