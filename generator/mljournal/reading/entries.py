"""Entries: dated Markdown files with front matter, found recursively under journal/entries/.

`read_entries` never raises for one bad file: the file is named in a Diagnostic (with its
line) and skipped, and every other entry is read.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, fields, replace
from datetime import date as date_type
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mljournal.cache import Bundle, is_racy, made_by
from mljournal.errors import Diagnostic, EntryError, FrontMatterError, JournalError, UnsafeIdError, did_you_mean
from mljournal.ids import check_model_id
from mljournal.reading import frontmatter
from mljournal.reading.walk import shown_path, walk_files
from mljournal.settings import Settings

MAX_ENTRY_BYTES = 2 * 1024 * 1024
KEYS = ("date", "model", "parent", "tags", "status", "corrects", "commit", "title")
DATE_HINT = "write it as 2026-11-03 or 2026-11-03 14:20:00+01:00"
MAX_MODELS = 100  # models one entry may be about
MAX_TAGS = 50  # tags of one entry


@dataclass(frozen=True)
class Entry:
    path: Path  # absolute
    source: str  # path as shown to the user: relative to the project, posix
    key: str  # relative to entries/, posix, without ".md": how `corrects:` names it
    date: datetime  # timezone-aware
    has_time: bool
    models: tuple[str, ...]
    parent: str | None
    tags: tuple[str, ...]
    status: str | None
    corrects: str | None
    commit: str | None
    title: str | None
    body: str
    body_line: int
    lines: dict[str, int]  # front-matter key -> line, for messages about it
    # what the file was when it was read (a digest of its cache key), the same in every
    # process; empty when it was too fresh to tell. Not part of what the entry says.
    stamp: str = field(default="", compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def anchor(self) -> str:
        """The entry's id on a page, and how `corrects:` names it: its file name."""
        return self.name


def read_entries(settings: Settings, shown_relative_to: Path) -> tuple[list[Entry], list[Diagnostic]]:
    """Every entry under the entries folder, oldest first, and what was skipped."""
    root = settings.entries_dir
    diagnostics: list[Diagnostic] = []
    if not root.is_dir():
        return [], diagnostics
    default_zone = _zone(settings.timezone)
    store = _store(settings.cache_dir)
    entries: list[Entry] = []
    for path, skipped in walk_files(root, suffixes=(".md", ".markdown")):
        if skipped:
            diagnostics.append(Diagnostic(skipped, shown_path(path, shown_relative_to)))
            continue
        try:
            entries.append(_read_entry_cached(path, root, shown_relative_to, default_zone, store))
        except JournalError as error:
            diagnostics.append(Diagnostic.from_error(error))
    store.save()
    entries.sort(key=lambda e: (e.date, e.key))
    return _drop_name_twins(entries, diagnostics), diagnostics


def _drop_name_twins(entries: list[Entry], diagnostics: list[Diagnostic]) -> list[Entry]:
    """Entries are named by file name (links, `corrects:`); two with one name keep the first.
    One name up to case or Unicode normalisation (``café`` typed on Linux and saved on a Mac)
    is one name: the two would be one file on those systems, and one anchor to a reader."""
    first: dict[str, Entry] = {}
    kept = []
    for entry in sorted(entries, key=lambda e: e.key):
        other = first.setdefault(unicodedata.normalize("NFC", entry.name).casefold(), entry)
        if other is entry:
            kept.append(entry)
        else:
            diagnostics.append(
                Diagnostic(f"skipped: same file name as {other.source}; entries are named by file name, rename one",
                           entry.source)
            )
    kept.sort(key=lambda e: (e.date, e.key))
    return kept


# Entries read, by what their file is now (size, mtime, inode), one per file, in this process
# (`journal serve` re-reads only the files that changed) and in one file of the cache folder
# (so does the next `journal build`: parsing 2,000 front matters is most of reading a journal,
# and opening 2,000 small files much of the rest). A file modified too recently to trust its
# stat is read again every time. The key holds the code that read it (this package's
# version, Entry's fields): an upgrade reads every file again.
ENTRY_CACHE = "entries-2:" + ",".join(f.name for f in fields(Entry))


def _store(cache_dir: Path | None) -> Bundle[Entry | JournalError]:
    return Bundle("entries", cache_dir / "entries.pickle" if cache_dir else None, limit=100_000)


def _read_entry_cached(path: Path, root: Path, shown_relative_to: Path, default_zone,
                       store: Bundle[Entry | JournalError]) -> Entry:
    try:
        stat = path.stat()
    except OSError:
        return read_entry(path, root, shown_relative_to, default_zone)
    key = (ENTRY_CACHE, made_by(), str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino, str(root),
           str(shown_relative_to), str(default_zone))
    found = store.get(key, slot=path)
    if found is None:
        try:
            found = read_entry(path, root, shown_relative_to, default_zone)
        except JournalError as error:
            found = error
        if not is_racy(stat.st_mtime):
            if isinstance(found, Entry):
                found = replace(found, stamp=hashlib.sha1(repr(key).encode("utf-8", "surrogateescape")).hexdigest())
            store.put(key, found, slot=path)
    if isinstance(found, JournalError):
        raise found
    return found


def read_entry(path: Path, root: Path, shown_relative_to: Path, default_zone=timezone.utc) -> Entry:
    shown = shown_path(path, shown_relative_to)
    text = decode(path, shown)
    matter = frontmatter.split(text, Path(shown))
    fields = matter.fields
    lines = {key: f.line for key, f in fields.items()}
    unknown = [k for k in fields if k not in KEYS]
    if unknown:
        key = unknown[0]
        raise FrontMatterError(
            f"unknown key '{key}'{did_you_mean(key, KEYS)}; the keys are: {', '.join(KEYS)}",
            shown,
            fields[key].line,
        )

    def need(key: str) -> frontmatter.Field:
        if key not in fields:
            raise FrontMatterError(
                f"'{key}' is missing: add a '{key}:' line to the front matter", shown, 1
            )
        if fields[key].value is None or fields[key].value == "":
            example = "a model ID, or a list of them like [cnn-7, cnn-8]" if key == "model" else DATE_HINT.removeprefix("write ")
            raise FrontMatterError(f"'{key}' is empty: write {example}", shown, fields[key].line)
        return fields[key]

    when, has_time = parse_date(need("date"), shown, default_zone)
    models = _id_list(need("model"), shown)
    parent = _optional_id(fields.get("parent"), shown)
    tags = _string_list(fields.get("tags"), shown, "tag")
    status = _optional_text(fields.get("status"), shown)
    corrects = _optional_text(fields.get("corrects"), shown)
    commit = _optional_text(fields.get("commit"), shown)
    title = _optional_text(fields.get("title"), shown, limit=200)
    key = path.relative_to(root).with_suffix("").as_posix()
    if corrects and corrects.endswith(".md"):
        corrects = corrects[:-3]
    return Entry(
        path=path,
        source=shown,
        key=key,
        date=when,
        has_time=has_time,
        models=models,
        parent=parent,
        tags=tags,
        status=status,
        corrects=corrects,
        commit=commit,
        title=title,
        body=matter.body,
        body_line=matter.body_line,
        lines=lines,
    )


def decode(path: Path, shown: str) -> str:
    """The file's text: UTF-8 (a BOM is dropped), LF line ends; size-bounded."""
    try:
        size = path.stat().st_size
        if size > MAX_ENTRY_BYTES:
            raise EntryError(
                f"entry is {size // 1024} KiB; the limit is {MAX_ENTRY_BYTES // 1024 // 1024} MiB "
                "(move long logs into the run folder)",
                shown,
            )
        data = path.read_bytes()
    except OSError as error:
        raise EntryError(f"cannot read entry: {error.strerror}", shown) from None
    if not data.strip():
        raise EntryError("entry is empty: delete it or run `journal entry ID` to write one", shown, 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise EntryError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            shown,
            line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_date(field: frontmatter.Field, shown: str, default_zone) -> tuple[datetime, bool]:
    value = field.value
    hint = DATE_HINT
    if not isinstance(value, str):
        raise FrontMatterError(f"'date' must be a single date; {hint}", shown, field.line)
    text = value.strip()
    try:
        if len(text) == 10:
            day = date_type.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=default_zone), False
        when = datetime.fromisoformat(text)
    except ValueError as error:
        reason = str(error)
        if "out of range" in reason or "must be in" in reason:
            raise FrontMatterError(
                f"date '{text}' does not exist ({reason}); {hint}", shown, field.line
            ) from None
        raise FrontMatterError(f"date '{text}' is not a date; {hint}", shown, field.line) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=default_zone)
    return when, True


def _id_list(field: frontmatter.Field, shown: str) -> tuple[str, ...]:
    values = field.value if isinstance(field.value, list) else [field.value]
    if not values:
        raise FrontMatterError("'model' is empty: write a model ID, or a list of them like [cnn-7, cnn-8]", shown, field.line)
    if len(values) > MAX_MODELS:  # each model's page shows the entry, with every badge: the work grows squared
        raise FrontMatterError(f"'model' lists {len(values)} models; an entry may be about at most {MAX_MODELS} "
                               "(for a comparison of more, name them in the text)", shown, field.line)
    ids: list[str] = []
    for value in values:
        ids.append(_check_id(value, field, shown))
    if len(set(ids)) != len(ids):
        raise FrontMatterError("'model' lists the same ID twice", shown, field.line)
    return tuple(ids)


def _optional_id(field: frontmatter.Field | None, shown: str) -> str | None:
    if field is None or field.value is None:
        return None
    return _check_id(field.value, field, shown)


def _check_id(value: object, field: frontmatter.Field, shown: str) -> str:
    if not isinstance(value, str):
        raise FrontMatterError(
            f"'{field.key}' must be a model ID or a list of them, not a "
            f"{'mapping' if isinstance(value, dict) else 'nested list'}",
            shown,
            field.line,
        )
    try:
        return check_model_id(value.strip())
    except UnsafeIdError as error:
        raise FrontMatterError(f"'{field.key}': {error.message}", shown, field.line) from None


def _string_list(field: frontmatter.Field | None, shown: str, what: str) -> tuple[str, ...]:
    if field is None or field.value is None:
        return ()
    values = field.value if isinstance(field.value, list) else [field.value]
    if len(values) > MAX_TAGS:
        raise FrontMatterError(f"'{field.key}' lists {len(values)} {what}s; an entry may have at most {MAX_TAGS}",
                               shown, field.line)
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise FrontMatterError(
                f"'{field.key}' must be a list of words, like [{what}-a, {what}-b]",
                shown,
                field.line,
            )
        if len(value) > 60:
            raise FrontMatterError(f"{what} '{value[:20]}…' is over 60 characters", shown, field.line)
        out.append(value.strip())
    return tuple(dict.fromkeys(out))


def _optional_text(field: frontmatter.Field | None, shown: str, limit: int = 80) -> str | None:
    if field is None or field.value is None:
        return None
    if not isinstance(field.value, str):
        raise FrontMatterError(f"'{field.key}' must be a single value", shown, field.line)
    text = field.value.strip()
    if len(text) > limit:
        raise FrontMatterError(f"'{field.key}' is over {limit} characters", shown, field.line)
    return text or None


def _zone(name: str):
    if name.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise JournalError(f"unknown timezone '{name}'; use a name like Europe/Warsaw") from None

