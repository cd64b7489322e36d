"""Entry bodies: Markdown -> HTML fragments, with the site's Markdown extensions.

On top of plain Markdown:
- a known model ID in text becomes a link to its page (not inside code or links);
- headings move one level down (an entry sits under its card's header) and get ids that
  are unique on a page that holds many entries;
- relative links and images are resolved from the entry's own folder, as an editor would
  preview them, and pointed at the site: run screenshots, other entries (on their timeline
  page), a run folder (its model page), other files of the journal. A link to nothing is a
  Diagnostic. Images load lazily, with their size set, and show as thumbnails that open
  the full image.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from mljournal.errors import Diagnostic
from mljournal.ids import URL, find_spans
from mljournal.rendering.html import raw_url

_SKIP_LINKING = {"a", "code", "pre", "script", "style", "kbd", "samp"}
_SLUG = re.compile(r"[^\w-]+")


@dataclass
class Target:
    """Where a relative link in an entry leads on the site."""

    url: str  # site-root-relative path, unescaped
    image: object | None = None  # a Picture, for images
    thumb_url: str | None = None
    fragment: str = ""


@dataclass
class RenderContext:
    """What the renderer needs to know about one entry."""

    anchor: str
    source_dir: str  # the entry's folder, relative to the journal folder, posix
    mentions: list[str]
    source: str  # for messages
    diagnostics: list[Diagnostic] = field(default_factory=list)
    body_line: int = 1
    body: str = ""


class EntryRenderer:
    def __init__(
        self,
        extensions: list,
        extension_configs: dict,
        model_url: Callable[[str], str],
        resolve: Callable[[str], Target | str],
        raw_html: bool = True,
    ) -> None:
        """`resolve(path)` maps a journal-relative path to a Target, or to a reason it can't.
        With `raw_html` False, HTML written in an entry is shown as text, not interpreted."""
        self._processor = _JournalTreeprocessor(model_url, resolve)
        # The site's `toc` extension would give every entry's headings page-level ids and
        # permalinks; entries get their own ids instead.
        names = [x for x in extensions if not (isinstance(x, str) and x in ("toc", "markdown.extensions.toc"))]
        self._md = markdown.Markdown(
            extensions=names + [_JournalExtension(self._processor)],
            extension_configs={k: v for k, v in extension_configs.items() if k != "toc"},
        )
        if not raw_html:
            self._md.preprocessors.deregister("html_block")
            self._md.inlinePatterns.deregister("html")
            self._md.inlinePatterns.deregister("entity")

    def render(self, text: str, context: RenderContext) -> str:
        self._processor.context = context
        context.body = text
        try:
            return self._md.reset().convert(text)
        finally:
            self._processor.context = None


class _JournalExtension(Extension):
    def __init__(self, processor: Treeprocessor) -> None:
        super().__init__()
        self.processor = processor

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        self.processor.md = md
        md.treeprocessors.register(self.processor, "mljournal", 4)


class _JournalTreeprocessor(Treeprocessor):
    def __init__(self, model_url: Callable[[str], str], resolve: Callable[[str], Target | str]) -> None:
        super().__init__()
        self.model_url = model_url
        self.resolve = resolve
        self.context: RenderContext | None = None

    def run(self, root: etree.Element) -> None:
        context = self.context
        assert context is not None
        mentioned = frozenset(context.mentions)
        used_ids: set[str] = set()
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                tag = child.tag if isinstance(child.tag, str) else ""
                if re.fullmatch(r"h[1-6]", tag):
                    self._heading(child, context, used_ids)
                elif tag == "a" and child.get("href") is not None:
                    child.set("href", self._link(child.get("href", ""), context))
                elif tag == "img" and child.get("src") is not None:
                    self._image(parent, index, child, context)
        if mentioned:
            self._link_mentions(root, mentioned)

    def _heading(self, element: etree.Element, context: RenderContext, used: set[str]) -> None:
        level = min(int(element.tag[1]) + 1, 6)
        element.tag = f"h{level}"
        text = "".join(element.itertext())
        slug = _SLUG.sub("-", text.strip().lower()).strip("-") or "section"
        candidate = f"{context.anchor}--{slug}"
        number = 1
        while candidate in used:
            number += 1
            candidate = f"{context.anchor}--{slug}-{number}"
        used.add(candidate)
        element.set("id", candidate)

    def _target(self, href: str, context: RenderContext) -> Target | None:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("#", "/")) or not parts.path:
            return None
        path = posixpath.normpath(posixpath.join(context.source_dir, unquote(parts.path)))
        if path.startswith("../") or path == "..":
            self._warn(href, "leads outside the journal folder", context)
            return Target(url="")
        found = self.resolve(path)
        if isinstance(found, str):
            self._warn(href, found, context)
            return Target(url="")
        if parts.fragment and not found.fragment:
            found = Target(found.url, found.image, found.thumb_url, unquote(parts.fragment))
        return found

    def _link(self, href: str, context: RenderContext) -> str:
        target = self._target(href, context)
        if target is None:
            return href
        return raw_url(target.url, target.fragment) if target.url else href

    def _image(self, parent: etree.Element, index: int, img: etree.Element, context: RenderContext) -> None:
        img.set("loading", "lazy")
        img.set("decoding", "async")
        target = self._target(img.get("src", ""), context)
        if target is None or not target.url:
            return
        picture = target.image
        full = raw_url(target.url)
        img.set("src", raw_url(target.thumb_url or target.url))
        if picture is not None and getattr(picture, "thumb_width", None):
            img.set("width", str(picture.thumb_width))
            img.set("height", str(picture.thumb_height))
        if parent.tag != "a":
            link = etree.Element("a", {"href": full, "class": "mj-shot"})
            link.tail, img.tail = img.tail, None
            parent.remove(img)
            link.append(img)
            parent.insert(index, link)

    def _link_mentions(self, root: etree.Element, mentioned: frozenset[str]) -> None:
        def walk(element: etree.Element) -> None:
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag in _SKIP_LINKING:
                return
            if element.text and not isinstance(element.text, markdown.util.AtomicString):
                _split_into(element, element.text, mentioned, self.model_url, at_start=True)
            for child in list(element):
                walk(child)
                if child.tail and not isinstance(child.tail, markdown.util.AtomicString):
                    _split_into(element, child.tail, mentioned, self.model_url, after=child)

        walk(root)

    def _warn(self, href: str, reason: str, context: RenderContext) -> None:
        line = None
        position = context.body.find(href)
        if position >= 0:
            line = context.body_line + context.body.count("\n", 0, position)
        context.diagnostics.append(Diagnostic(f"link '{href}' {reason}", context.source, line))


def _split_into(parent, text, mentioned, model_url, *, at_start=False, after=None) -> None:
    found = find_spans(text, mentioned)
    if not found:
        return
    addresses = [match.span() for match in URL.finditer(text)]
    found = [match for match in found if not any(start <= match.start < end for start, end in addresses)]
    if not found:
        return
    ends = [match.start for match in found[1:]] + [len(text)]
    pieces = [text[: found[0].start]] + [text[match.end: end] for match, end in zip(found, ends)]
    links = []
    for model_id, tail in zip((match.model_id for match in found), pieces[1:]):
        link = etree.Element("a", {"href": raw_url(model_url(model_id)), "class": "mj-model"})
        link.text = model_id
        link.tail = tail
        links.append(link)
    if at_start:
        parent.text = pieces[0]
        for offset, link in enumerate(links):
            parent.insert(offset, link)
    else:
        after.tail = pieces[0]
        position = list(parent).index(after) + 1
        for offset, link in enumerate(links):
            parent.insert(position + offset, link)


