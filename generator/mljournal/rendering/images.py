"""Screenshots: size them, and make small thumbnails, cached by the image's content.

Pillow opens only the header to size an image; a thumbnail needs a full decode, bounded by
`MAX_PIXELS` (decompression bombs) and `MAX_BYTES`. A truncated, unreadable or over-large
image is a Diagnostic and is left out, never a crash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from mljournal.atomic import replacing
from mljournal.cache import Bundle, ContentStore, is_racy
from mljournal.errors import Diagnostic

MAX_SHOTS = 60  # screenshots shown for one model (its page, its compare data); the rest are counted
THUMB_WIDTH = 480  # pixels; shown at 240 CSS pixels, sharp on 2x screens
MAX_PIXELS = 40_000_000
MAX_BYTES = 50 * 1024 * 1024
SMALL_ENOUGH = 60 * 1024  # an image at most this big and THUMB_WIDTH wide is its own thumbnail
_VERSION = b"thumb-1"
_KNOWN = "pictures-2"  # what the Bundle of pictures holds


@dataclass(frozen=True)
class Picture:
    source: Path
    width: int | None
    height: int | None
    thumb: Path  # the file to show small: a cached thumbnail, or the image itself
    thumb_width: int | None
    thumb_height: int | None


class ImageStore:
    def __init__(self, cache_dir: Path) -> None:
        self.thumbs = ContentStore(cache_dir, "thumbs")
        self.images = ContentStore(cache_dir, "extracted")
        self.svgs = ContentStore(cache_dir, "svg")
        self._seen: dict[Path, Picture | None] = {}
        # what an image file gave, by what the file is now: the next build neither reads it
        # (to hash it) nor opens it (to size it) again
        self.known: Bundle[tuple[tuple | None, list[Diagnostic]]] = Bundle(
            "pictures", cache_dir / "pictures.pickle", limit=100_000)

    def extracted(self, data: bytes, name: str) -> Path:
        """A file holding an image a tool wrote inside its logs, named by its content."""
        return self.images.put_bytes(hashlib.sha256(data), Path(name).suffix, data)

    def picture(self, path: Path, shown: str, diagnostics: list[Diagnostic],
                stamp: tuple | None = None) -> Picture | None:
        """What the image at `path` is, sized, with its thumbnail. `stamp` is its file's (size,
        mtime, inode) when it was listed (empty: unknown); None: `path` is named by its content."""
        if path not in self._seen:
            self._seen[path] = self._known(path, shown, diagnostics, stamp)
        return self._seen[path]

    def _known(self, path: Path, shown: str, diagnostics: list[Diagnostic], stamp: tuple | None) -> Picture | None:
        trusted = stamp is None or (stamp and not is_racy(stamp[1] / 1e9))
        key = (_KNOWN, _VERSION, str(path), shown, stamp) if trusted else None
        found = self.known.get(key) if key is not None else None
        if found is not None:
            picture = _unpacked(found[0])
            if picture is None or picture.thumb.exists():
                diagnostics.extend(found[1])
                return picture
        made: list[Diagnostic] = []
        picture = self._make(path, shown, made)
        diagnostics.extend(made)
        if key is not None:
            self.known.put(key, (_packed(picture), made))
        return picture

    def save(self) -> None:
        self.known.save()

    def _make(self, path: Path, shown: str, diagnostics: list[Diagnostic]) -> Picture | None:
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                diagnostics.append(Diagnostic(f"skipped: image is {size >> 20} MiB, over the 50 MiB limit", shown))
                return None
            data = path.read_bytes()
        except OSError as error:
            diagnostics.append(Diagnostic(f"skipped: cannot read image: {error.strerror or error}", shown))
            return None
        if path.suffix.lower() == ".svg":  # published sanitised: opened directly, an SVG runs its scripts
            clean = clean_svg(data)
            if isinstance(clean, str):
                diagnostics.append(Diagnostic(f"skipped: {clean}", shown))
                return None
            safe = self.svgs.put_bytes(hashlib.sha256(b"svg-clean-1" + data), ".svg", clean)
            width, height = _svg_size(data)
            return Picture(safe, width, height, safe, width, height)
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = None  # opening reads the header only; the size is checked here, before decoding
        thumb = self.thumbs.path(hashlib.sha256(_VERSION + data), ".webp")
        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise Image.DecompressionBombError(f"it is {width}×{height} pixels, over the limit of "
                                                       f"{MAX_PIXELS:,} (a decompression bomb?)")
                if width <= THUMB_WIDTH and size <= SMALL_ENOUGH:
                    image.load()  # a truncated file fails here, not in the reader's browser
                    return Picture(path, width, height, path, width, height)
                thumb_height = max(1, round(height * THUMB_WIDTH / width))
                if not thumb.exists():
                    image.load()
                    small = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
                    small.thumbnail((THUMB_WIDTH, thumb_height * 2))
                    with replacing(thumb) as partial:
                        small.save(partial, "WEBP", quality=80, method=4)
                return Picture(path, width, height, thumb, THUMB_WIDTH, thumb_height)
        except Image.DecompressionBombError as error:
            diagnostics.append(Diagnostic(f"skipped: {error}", shown))
        except (OSError, ValueError, SyntaxError) as error:
            reason = "it is truncated (still being written?)" if "truncated" in str(error) else "it is not a readable image"
            diagnostics.append(Diagnostic(f"skipped: {reason}", shown))
        return None


def _packed(picture: Picture | None) -> tuple | None:
    """A Picture as plain values: thousands of paths are slow to unpickle."""
    if picture is None:
        return None
    return (str(picture.source), picture.width, picture.height, str(picture.thumb), picture.thumb_width,
            picture.thumb_height)


def _unpacked(packed: tuple | None) -> Picture | None:
    if packed is None:
        return None
    source, width, height, thumb, thumb_width, thumb_height = packed
    source_path = Path(source)
    return Picture(source_path, width, height, source_path if thumb == source else Path(thumb), thumb_width,
                   thumb_height)


_SVG_DIM = re.compile(rb'<svg[^>]*?\swidth="([\d.]+)(?:px|pt)?"[^>]*?\sheight="([\d.]+)(?:px|pt)?"', re.S)


def _svg_size(data: bytes) -> tuple[int | None, int | None]:
    match = _SVG_DIM.search(data[:4096])
    if not match:
        return None, None
    return round(float(match.group(1))), round(float(match.group(2)))


SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
_ACTIVE = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion"}
_OUTSIDE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|javascript:|expression\(", re.I)


def clean_svg(data: bytes) -> bytes | str:
    """An author's SVG without anything that runs or reaches out: no script, foreignObject or
    embedded document, no event attributes, no links but to its own fragments (#id) and
    embedded images, no styles that load or run anything, no animation of a link. A file
    with a DOCTYPE (entities can expand without bound) or that does not parse is refused:
    the reason is returned instead."""
    from xml.etree import ElementTree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return "an SVG with a DOCTYPE or entities is not published"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return f"not a well-formed SVG ({error})"

    def local(name: str) -> str:
        return name.rpartition("}")[2].lower()

    for parent in list(root.iter()):
        for child in list(parent):
            name = local(child.tag) if isinstance(child.tag, str) else ""
            animated = name in _ANIMATIONS and local(child.get("attributeName", "")) in ("href", "xlink:href")
            outside = name == "style" and _OUTSIDE.search(child.text or "")
            if name in _ACTIVE or animated or outside:
                parent.remove(child)
    for element in root.iter():
        for attribute, value in list(element.attrib.items()):
            name, text = local(attribute), value.strip().lower()
            if name.startswith("on") or _OUTSIDE.search(value):
                del element.attrib[attribute]
            elif name == "href" and not (text.startswith("#") or text.startswith("data:image/")):
                del element.attrib[attribute]
    ElementTree.register_namespace("", SVG)
    ElementTree.register_namespace("xlink", XLINK)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
