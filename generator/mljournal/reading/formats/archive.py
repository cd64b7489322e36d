"""Zip archives a tool leaves as its run's record (ClearML's closed offline session, Comet's
offline experiment), read with the standard library and never unpacked to disk."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from mljournal.errors import Diagnostic

MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # a member that inflates more than this is a bomb, not a log


def open_zip(path: Path, shown: str, diagnostics: list[Diagnostic]) -> zipfile.ZipFile | None:
    """The archive, or None with a Diagnostic saying why not."""
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        diagnostics.append(Diagnostic("not a zip archive; ignored", shown))
    except OSError as error:
        diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown))
    return None


def read_member(archive: zipfile.ZipFile, name: str, shown: str, diagnostics: list[Diagnostic],
                limit: int = MAX_MEMBER_BYTES) -> bytes | None:
    """One member's bytes, or None (with a Diagnostic naming ``archive.zip:member``)."""
    where = f"{shown}:{name}"
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        diagnostics.append(Diagnostic(f"over {limit >> 20} MiB; ignored", where))
        return None
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
        diagnostics.append(Diagnostic(f"inflates {info.file_size // info.compress_size}-fold; ignored", where))
        return None
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        diagnostics.append(Diagnostic(f"damaged in the archive ({error}); ignored", where))
        return None
    if len(data) > limit:
        diagnostics.append(Diagnostic(f"over {limit >> 20} MiB; ignored", where))
        return None
    return data


def json_lines(data: bytes, where: str, diagnostics: list[Diagnostic], what: str) -> Iterator[object]:
    """Each JSON value of a JSON-lines text (ClearML's events, Comet's messages); a line that
    is not JSON is a Diagnostic naming `where` and the line ("not {what}; skipped"), unless it
    is the last one, cut short by a writer that was killed mid-line."""
    lines = data.split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            if number < len(lines):
                diagnostics.append(Diagnostic(f"not {what}; skipped", where, number))


def image_suffix(data: bytes) -> str | None:
    """The file suffix of an encoded image by its first bytes (Comet stores images without one)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None
