"""Recognised sections of an entry body: "## Hypothesis", "## 結論", … -> canonical names."""

from __future__ import annotations

import re
import unicodedata
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
    fence: str | None = None
    for index, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is None:
            match = _HEADING.match(line)
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


def _normalise(heading: str) -> str:
    text = unicodedata.normalize("NFKC", heading).casefold().strip()
    return text.rstrip(":：").strip()
