"""What training tools write into a run folder, read in place.

Each format module knows one tool's files. A run folder's files are listed once (names
only: checkpoints are never opened); each format in `FORMATS`, in order, claims the groups
of files it reads, so a file is read by one format at most. Each group becomes a `Part`:
the metrics, parameters, results, checkpoint table, images and metadata that one tool
wrote. `runs.read_run` merges the parts of a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.metrics import Series


@dataclass
class Image:
    """An image a tool wrote inside another file (a TensorBoard event, say)."""

    name: str  # shown, and where it goes in the site: "tensorboard/<tag>/<step>.png"
    data: bytes
    caption: str = ""


# What a run's metadata says, by the keys run.json writes ("error": what a failed run died of,
# as the recorder writes it: type, message, traceback; "parent": the model it changes;
# "attempts": each start of a resumed or restarted run).
# Hidden folders a tool writes its run into (Neptune's offline mode): walked like any other.
TOOL_FOLDERS = (".neptune",)
# Symbolic links a tool makes beside its files that lead out of the journal by design and are
# never content (W&B's link to its log in the user's cache): left out without a warning.
TOOL_LINKS = ("*wandb/*/logs/debug-core.log",)

# The status of a run whose tool never wrote its end (a killed process): what it wrote is shown.
UNFINISHED = "not finished"

META_KEYS = ("command", "commit", "status", "started", "finished", "error", "parent", "attempts", "param_changes")


@dataclass
class Table:
    """A small results table, e.g. one row per checkpoint: step, then eval metrics."""

    title: str
    columns: list[str]
    rows: list[list[str | float | int | None]]
    best: int | None = None  # index of the best row, where the tool says which


@dataclass
class Part:
    tool: str  # "Hugging Face Trainer", "TensorBoard", …
    files: list[str]  # what was read, relative to the run folder
    metrics: dict[str, Series] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    params_from: str = ""  # the file they come from, when it is one file
    results: dict[str, dict[str, float]] = field(default_factory=dict)  # final values, by split
    tables: list[Table] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # command, commit, status, started, finished
    extra: dict[str, str] = field(default_factory=dict)  # other run metadata (host, versions…)
    excerpts: dict[str, str] = field(default_factory=dict)  # file name -> code excerpt
    excerpt_origins: dict[str, str] = field(default_factory=dict)  # file name -> "model.py:10-42"
    diff: str | None = None  # uncommitted changes when the run started
    notes: list[str] = field(default_factory=list)  # what a reader should know (other runs left out…)
    not_screenshots: list[str] = field(default_factory=list)  # image paths (or folders, ending in /) to leave out


Shown = Callable[[str], str]  # relative path in the run folder -> path shown in messages
Claim = Callable[[list[str]], list[list[str]]]  # the groups of files one format reads
Read = Callable[[Path, list[str], Shown], "tuple[Part, list[Diagnostic]]"]


@dataclass(frozen=True)
class Format:
    name: str
    claim: Claim
    read: Read
    version: int = 1  # part of the cache key: bump when the reader's output changes
    needs: str | None = None  # an optional module it reads with: whether it is installed is part of the cache key

    def can_read(self) -> bool:
        """Whether the optional module this format needs, if any, is installed."""
        if self.needs is None:
            return True
        import importlib.util

        return importlib.util.find_spec(self.needs) is not None


def folder_of(relative: str) -> str:
    return relative.rpartition("/")[0]


def name_of(relative: str) -> str:
    return relative.rpartition("/")[2]


MAX_PARAMS = 2000  # parameters kept from one file; a config is not a dataset
MAX_DEPTH = 20


def flatten(value: object, prefix: str = "", out: dict[str, str] | None = None, depth: int = 0) -> dict[str, str]:
    """Nested parameters as ``a.b.c -> text``; lists of scalars stay one value. At most
    MAX_PARAMS of them, MAX_DEPTH deep (deeper values are shown as JSON text)."""
    import json

    out = {} if out is None else out
    if len(out) >= MAX_PARAMS:
        return out
    if isinstance(value, dict) and depth < MAX_DEPTH:
        for key, inner in value.items():
            if len(out) >= MAX_PARAMS:
                break
            flatten(inner, f"{prefix}.{key}" if prefix else str(key), out, depth + 1)
    elif prefix:
        if value is None:
            out[prefix] = "null"
        elif isinstance(value, bool):
            out[prefix] = "true" if value else "false"
        elif isinstance(value, str):
            out[prefix] = value
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            out[prefix] = repr(value)
        else:
            try:
                text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (list, tuple, dict)) else str(value)
            except (ValueError, RecursionError):
                text = "…"
            out[prefix] = text if len(text) <= 2000 else text[:2000] + "…"
    return out


def formats() -> list[Format]:
    """Every known format, in claiming order: tools whose files contain other tools' files
    (a Trainer's output folder holds TensorBoard logs) come first."""
    from mljournal.reading.formats import (
        catboost,
        clearml,
        comet,
        csvlog,
        dvclive,
        huggingface,
        journal,
        lightning,
        mlflow,
        neptune,
        sacred,
        tensorboard,
        wandb,
    )

    return [
        huggingface.FORMAT,
        catboost.FORMAT,
        sacred.FORMAT,
        mlflow.FILE_STORE,
        mlflow.SQLITE_STORE,
        wandb.FORMAT,
        clearml.FORMAT,
        comet.FORMAT,
        neptune.FORMAT,
        neptune.EXPORT,
        dvclive.FORMAT,
        lightning.FORMAT,
        journal.FORMAT,
        tensorboard.FORMAT,
        csvlog.FORMAT,
    ]


def load_yaml(path: Path, shown: str, diagnostics: list[Diagnostic], limit: int = 1024 * 1024) -> object:
    """A tool's YAML file (hparams.yaml, params.yaml, meta.yaml). Python-object tags, which
    Lightning writes for some hyperparameters, become their tag's text; nothing is constructed."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):  # aliases can make a kilobyte file a gigabyte
                raise yaml.YAMLError("anchors and aliases are not read")
            return super().compose_node(parent, index)

    def as_text(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
        if isinstance(node, yaml.ScalarNode):
            return f"{node.tag} {node.value}".strip()
        return node.tag

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", as_text)
    Loader.add_multi_constructor("!", as_text)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            diagnostics.append(Diagnostic(f"over {limit >> 20} MiB; ignored", shown))
            return None
        return yaml.load(data.decode("utf-8"), Loader=Loader)  # noqa: S506 - a SafeLoader
    except OSError as error:
        diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown))
    except UnicodeDecodeError:
        diagnostics.append(Diagnostic("not UTF-8 text; ignored", shown))
    except RecursionError:
        diagnostics.append(Diagnostic("nested too deeply; ignored", shown))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        diagnostics.append(Diagnostic(f"not valid YAML ({getattr(error, 'problem', error)}); ignored", shown,
                                      mark.line + 1 if mark else None))
    return None


def newest_first_note(kind: str, chosen: str, others: list[str]) -> str:
    return f"{kind} {chosen} is shown; also here: {', '.join(others)}"
