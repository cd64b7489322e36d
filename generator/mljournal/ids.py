"""Model IDs: what is allowed, how a family is named, how mentions are found in text."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from mljournal.errors import UnsafeIdError

MAX_ID_LENGTH = 64
_ID_CHARS = re.compile(r"[A-Za-z0-9._-]+")
# Names that are folders or pages of the site itself, or that mean something to a filesystem.
RESERVED_IDS = frozenset({"index", "con", "prn", "aux", "nul", "com1", "lpt1"})
# A candidate mention: a run of ID characters that starts with a letter or digit.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# A web address written out in text: an ID inside one (…/runs/cnn-7/log) is not a mention.
URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s<>()\[\]\"']+|\bwww\.[^\s<>()\[\]\"']+")
_FAMILY = re.compile(r"^(?P<family>.*?)[-_.]?(?P<number>\d+)$")


def check_model_id(model_id: object) -> str:
    """Return `model_id` if it is safe as a folder name and a URL, else raise UnsafeIdError."""
    if not isinstance(model_id, str) or not model_id:
        raise UnsafeIdError("a model ID cannot be empty")
    if len(model_id) > MAX_ID_LENGTH:
        raise UnsafeIdError(
            f"model ID {model_id[:20]!r}… is {len(model_id)} characters long; "
            f"the limit is {MAX_ID_LENGTH}"
        )
    if not _ID_CHARS.fullmatch(model_id):
        bad = sorted({c for c in model_id if not _ID_CHARS.fullmatch(c)})
        shown = " ".join(repr(c) for c in bad)
        raise UnsafeIdError(
            f"model ID {model_id!r} contains {shown}; use only letters, digits, '-', '_' and '.'"
        )
    if model_id.startswith("."):
        raise UnsafeIdError(f"model ID {model_id!r} cannot start with '.'")
    if model_id.lower() in RESERVED_IDS:
        raise UnsafeIdError(f"model ID {model_id!r} is a reserved name; choose another")
    return model_id


def split_family(model_id: str) -> tuple[str, int | None]:
    """``tcn-7`` -> (``tcn``, 7); an ID without a trailing number is a family of its own."""
    match = _FAMILY.match(model_id)
    if not match or not match.group("family"):
        return model_id, None
    return match.group("family"), int(match.group("number"))


def find_mentions(text: str, known: frozenset[str] | set[str]) -> list[str]:
    """The known model IDs that occur in `text` as whole tokens, in order of first mention.

    A sentence's final full stop is not part of an ID: ``see tcn-7.`` mentions ``tcn-7``; an
    ID inside a web address (``https://wandb.ai/me/runs/tcn-7``) is not a mention.
    """
    return mentions_among(id_tokens(text), known)


def mentions_among(tokens: tuple[str, ...], known: frozenset[str] | set[str]) -> list[str]:
    """`find_mentions` of the text whose `id_tokens` these are."""
    found: dict[str, None] = {}
    for token in tokens:
        while token:
            if token in known:
                found.setdefault(token, None)
                break
            if token[-1] in ".-_":
                token = token[:-1]
            else:
                break
    return list(found)


@functools.lru_cache(maxsize=65536)
def id_tokens(text: str) -> tuple[str, ...]:
    """The words of `text` that could be IDs, each once, in order: an entry's text is read for
    mentions at every build and every update of `journal serve`, and rarely changes."""
    return tuple(dict.fromkeys(_TOKEN.findall(URL.sub(" ", text))))


class Mention(NamedTuple):
    start: int
    end: int
    model_id: str


_RUN = re.compile(r"(?<![A-Za-z0-9._-])[A-Za-z0-9._-]+")  # a whole run of ID characters


def find_spans(text: str, ids: frozenset[str]) -> list[Mention]:
    """Where any of `ids` occurs in `text` as a whole token: at the start of a run of ID
    characters, and ending where the run does or at a full stop that no letter or digit
    follows (``tcn-7.`` ends a sentence; ``v1.2`` is not ``v1``); the longest ID where
    several could. One scan for every set of IDs, where a regex of them would be compiled
    for each (a third of a millisecond; each entry mentions its own set)."""
    found = []
    for run in _RUN.finditer(text):
        token = run.group()
        ends = [len(token)] + [k for k in range(len(token) - 1, 0, -1)
                               if token[k] == "." and (k + 1 == len(token) or token[k + 1] in "._-")]
        for end in ends:
            if token[:end] in ids:
                found.append(Mention(run.start(), run.start() + end, token[:end]))
                break
    return found
