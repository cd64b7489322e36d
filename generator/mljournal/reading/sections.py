"""Recognised sections of an entry body: "## Hypothesis", "## 結論", … -> canonical names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


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
        if content:
            found.append(Section(name, text, content, index + 1))
    return found


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
