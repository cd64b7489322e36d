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

    A token is a whole run of ID characters; the `.`, `-` and `_` it starts or ends with
    may be punctuation: ``see tcn-7.``, ``tcn-7...``, ``_tcn-7_`` (Markdown's emphasis)
    mention ``tcn-7``; ``v1.2`` is not ``v1``, ``xtcn-7`` not ``tcn-7``. An ID inside a web
    address (``https://wandb.ai/me/runs/tcn-7``) is not a mention. The same rule links them
    in the rendered text (`find_spans`).
    """
    return mentions_among(id_tokens(text), known)


def mentions_among(tokens: tuple[str, ...], known: frozenset[str] | set[str]) -> list[str]:
    """`find_mentions` of the text whose `id_tokens` these are."""
    found: dict[str, None] = {}
    for token in tokens:
        span = _known_in(token, known)
        if span is not None:
            found.setdefault(token[span[0]:span[1]], None)
    return list(found)


# A whole run of ID characters: a candidate mention.
_RUN = re.compile(r"(?<![A-Za-z0-9._-])[A-Za-z0-9._-]+")
_PUNCTUATION = "._-"


@functools.lru_cache(maxsize=65536)
def id_tokens(text: str) -> tuple[str, ...]:
    """The words of `text` that could be IDs, each once, in order: an entry's text is read for
    mentions at every build and every update of `journal serve`, and rarely changes."""
    return tuple(dict.fromkeys(_RUN.findall(URL.sub(" ", text))))


def _known_in(token: str, known: frozenset[str] | set[str]) -> tuple[int, int] | None:
    """Where in `token` (a whole run of ID characters) a known ID is: the token itself, or
    the token without some of the `.`, `-`, `_` it starts or ends with; the earliest start
    and then the longest ID where several could be."""
    if token in known:
        return 0, len(token)
    starts = [0]
    while starts[-1] < len(token) and token[starts[-1]] in _PUNCTUATION:
        starts.append(starts[-1] + 1)
    ends = [len(token)]
    while ends[-1] > 0 and token[ends[-1] - 1] in _PUNCTUATION:
        ends.append(ends[-1] - 1)
    for start in starts:
        for end in ends:
            if end > start and (start, end) != (0, len(token)) and token[start:end] in known:
                return start, end
    return None


class Mention(NamedTuple):
    start: int
    end: int
    model_id: str


def find_spans(text: str, ids: frozenset[str]) -> list[Mention]:
    """Where any of `ids` occurs in `text` as a mention, by the rule of `find_mentions` (which
    lists the mentions this links). One scan for every set of IDs, where a regex of them would
    be compiled for each (a third of a millisecond; each entry mentions its own set)."""
    found = []
    for run in _RUN.finditer(text):
        token = run.group()
        span = _known_in(token, ids)
        if span is not None:
            found.append(Mention(run.start() + span[0], run.start() + span[1], token[span[0]:span[1]]))
    return found
