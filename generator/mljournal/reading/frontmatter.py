"""Front matter: split it from the body and load it as YAML that keeps what the author typed.

YAML 1.1 reads ``no`` as False, ``1e3`` as a float and ``12:30`` as the integer 750. In front
matter those are model IDs, tags and parents, so every plain scalar here stays a string;
the schema in `entries.py` then decides what each key's string means. Anchors, aliases and
tags such as ``!!python/object`` are refused, and the block is bounded in size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mljournal.errors import FrontMatterError

MAX_FRONT_MATTER_BYTES = 64 * 1024
FENCE = "---"


@dataclass(frozen=True)
class Field:
    """One front-matter key: its value (strings, lists, mappings, None) and its line."""

    key: str
    value: Any
    line: int


@dataclass(frozen=True)
class FrontMatter:
    fields: dict[str, Field]
    body: str
    body_line: int  # the file line where the body starts (1-based)


class _StringLoader(yaml.SafeLoader):
    """A safe loader whose only implicit type is null: everything else stays a string."""

    yaml_implicit_resolvers: dict = {}

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise FrontMatterError(
                "anchors and aliases (*name) are not allowed in front matter; write the value out",
                line=event.start_mark.line + 1,
            )
        return super().compose_node(parent, index)


_StringLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)

if getattr(yaml, "__with_libyaml__", False):
    class _FastStringLoader(yaml.CSafeLoader):  # libyaml's parser (ten times faster), the same rules
        yaml_implicit_resolvers = _StringLoader.yaml_implicit_resolvers
else:
    _FastStringLoader = None


def split(text: str, path: Path) -> FrontMatter:
    """Split `text` (already decoded, BOM and CR removed) into its fields and body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        raise FrontMatterError(
            "no front matter: an entry starts with a '---' line, then 'date:' and 'model:', "
            "then another '---' line (`journal entry ID` writes one for you)",
            path,
            1,
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in (FENCE, "..."):
            end = number
            break
    else:
        raise FrontMatterError(
            "front matter is not closed: add a '---' line after the last key", path, 1
        )
    block = "\n".join(lines[1 : end - 1])
    if len(block.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(
            f"front matter is over {MAX_FRONT_MATTER_BYTES // 1024} KiB; keep it to a few keys "
            "and put the rest in the body",
            path,
            1,
        )
    fields = _load(block, path, first_line=2)
    body = "\n".join(lines[end:])
    return FrontMatter(fields=fields, body=body, body_line=end + 1)


def _load(block: str, path: Path, first_line: int) -> dict[str, Field]:
    """The fields of `block`: read with libyaml when it is there; anything it cannot take
    as plain front matter (an alias, an error) is read again by the Python loader, whose
    messages are the ones reported."""
    if _FastStringLoader is not None:
        fields = _load_fast(block, path, first_line)
        if fields is not None:
            return fields
    return _load_checked(block, path, first_line)


def _load_fast(block: str, path: Path, first_line: int) -> dict[str, Field] | None:
    loader = _FastStringLoader(block)
    try:
        root = loader.get_single_node()
        if root is not None and _has_alias(root):
            return None
        return _fields(loader, root, path, first_line)
    except (yaml.YAMLError, FrontMatterError):
        return None
    finally:
        loader.dispose()


def _has_alias(root: yaml.Node) -> bool:
    """An alias composes to the very node its anchor names: a node met twice."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return False


def _fields(loader: yaml.BaseLoader, root: yaml.Node | None, path: Path, first_line: int) -> dict[str, Field]:
    """The fields of the composed front matter `root`, each with its line."""
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise FrontMatterError(
            "front matter must be 'key: value' lines (a mapping), not a list or a single value",
            path,
            root.start_mark.line + first_line,
        )
    fields: dict[str, Field] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + first_line
        if not isinstance(key_node, yaml.ScalarNode):
            raise FrontMatterError("a front-matter key must be a plain name", path, line)
        key = str(loader.construct_object(key_node, deep=True))
        if key in fields:
            raise FrontMatterError(
                f"key '{key}' appears twice (also on line {fields[key].line}); keep one",
                path,
                line,
            )
        fields[key] = Field(key, loader.construct_object(value_node, deep=True), line)
    return fields


def _load_checked(block: str, path: Path, first_line: int) -> dict[str, Field]:
    offset = first_line - 1
    loader = _StringLoader(block)
    try:
        return _fields(loader, loader.get_single_node(), path, first_line)
    except FrontMatterError as error:
        if error.path is None:
            error.path = path
            error.line = (error.line or 1) + offset
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else first_line
        problem = (error.problem or str(error)).replace("'<stream end>'", "the end of the front matter")
        if isinstance(error, yaml.constructor.ConstructorError) and "tag" in problem:
            problem = f"{problem.strip()}; only plain values, lists and mappings are allowed"
        raise FrontMatterError(f"front matter is not valid YAML: {problem}", path, line) from None
    except yaml.YAMLError as error:
        raise FrontMatterError(f"front matter is not valid YAML: {error}", path, first_line) from None
    finally:
        loader.dispose()
