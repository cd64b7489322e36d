"""The `journal` MkDocs plugin: `plugins: [journal]` in mkdocs.yml turns docs_dir into a journal.

docs_dir is the journal folder. The plugin takes its `entries/` and `runs/` folders out of
MkDocs' hands (nothing in a run folder is copied but screenshots), reads and indexes them
with the engine-independent core, and adds the generated pages and files. Anything else in
docs_dir stays an ordinary MkDocs page or file.
"""

from __future__ import annotations

import json
import logging
import re
from importlib import resources
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from mljournal.engines import with_theme_features
from mljournal.engines.mkdocs.config import JournalConfig, settings_from
from mljournal.engines.mkdocs.search_cache import keep_search_entries
from mljournal.engines.mkdocs.files import install as install_safe_listing
from mljournal.errors import BuildError, JournalError
from mljournal.index import JournalIndex, load_journal
from mljournal.output import FoldersAhead, check_site_dir, mark_built, refused_source
from mljournal.reading.walk import shown_path
from mljournal.rendering.html import e, resolve_root
from mljournal.rendering.changes import Rendering, render_reusing
from mljournal.rendering.render import RenderedSite, RenderOptions, SitePage
from mljournal.rendering.routes import IN_NAV, NAV
from mljournal.search import empty_material_index, index_site, search_kind
from mljournal.settings import SettingsError

log = logging.getLogger("mkdocs.plugins.journal")

# Our own markup (rendering/pages/kit.py): entry cards and one-line lists that are copies of
# what the timeline pages index. Cards and these lists never nest in themselves.
_EXCLUDED = re.compile(r'<article class="mj-entry"[^>]*\sdata-search-exclude>.*?</article>'
                       r'|<ul class="mj-lines" data-search-exclude>.*?</ul>', re.S)


def theme_dir() -> str:
    return str(resources.files("mljournal.theme"))


class JournalPlugin(BasePlugin[JournalConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings = None
        self.rendered: RenderedSite | None = None
        self.rendering: Rendering | None = None  # the same, with the outline of the journal it shows
        self.index: JournalIndex | None = None
        self.options: RenderOptions | None = None
        self.project: Path | None = None
        self.files: Files | None = None
        self.nav = self.env = None  # kept for `journal serve` to rebuild single pages
        self.pages: dict[str, SitePage] = {}
        self.nav_is_ours = False
        self.serving = False  # `journal serve` sets it: pages change in place (no on_startup here: MkDocs
        # would keep a plugin that has one from build to build, and its state with it)
        self.search = "material"  # or "pagefind": what this build's site is searched with
        self.last_site: Path | None = None  # the site this build replaces, beside which it is built
        self.folders: FoldersAhead | None = None  # the last site's folders, made in this one ahead of its files
        self.entry_count = self.model_count = self.warning_count = self.page_count = 0

    @event_priority(100)  # before the search plugin fills in its default separator
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        install_safe_listing()  # before MkDocs lists docs_dir, which follows every link
        search = _search_plugin(config)
        if search is not None and not getattr(search.config, "separator", None):
            search.config.separator = SEARCH_SEPARATOR  # the author's own, if set, is kept
        try:
            self.settings = settings_from(self.config, config.docs_dir, config.config_file_path)
            check_site_dir(Path(config.site_dir), self.settings.journal_dir, Path(config.config_file_path or ".").parent)
        except (JournalError, SettingsError) as error:
            raise PluginError(str(error)) from None
        # Our templates go after the user's custom_dir and before Material's own.
        position = 1 if config.theme.custom_dir else 0
        config.theme.dirs.insert(position, theme_dir())
        if config.theme.name == "material":
            config.theme["features"] = with_theme_features(config.theme.get("features"))
        self.nav_is_ours = config.nav is None
        return config

    @event_priority(-50)  # after other plugins have added their files
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        settings = self.settings
        assert settings is not None
        if self.last_site is not None and self.last_site.is_dir() and not self.serving:
            self.folders = FoldersAhead(self.last_site, Path(config.site_dir))  # MkDocs has emptied site_dir
        taken = (settings.entries_folder + "/", settings.runs_folder + "/")
        docs = Path(config.docs_dir)
        for file in list(files):
            if file.src_uri.startswith(taken):
                files.remove(file)
            elif file.abs_src_path and (reason := refused_source(Path(file.abs_src_path), docs)):
                log.warning(f"{shown_path(Path(file.abs_src_path), Path(config.config_file_path or '.').parent)}: {reason}")
                files.remove(file)
        project = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        try:
            index = load_journal(settings, project)
            options = RenderOptions(
                project_dir=project,
                directory_urls=config.use_directory_urls,
                markdown_extensions=tuple(config.markdown_extensions),
                markdown_configs=dict(config.mdx_configs),
                site_name=config.site_name,
                site_url=config.site_url,
                site_author=config.site_author or "",
            )
            rendering = render_reusing(index, options)
        except JournalError as error:
            raise PluginError(str(error)) from None
        rendered = rendering.site
        diagnostics = index.diagnostics + rendered.diagnostics
        for diagnostic in diagnostics:
            log.warning(str(diagnostic))
        self.project, self.options = project, options
        self.accept(index, rendering)
        for page in rendered.pages:
            existing = files.src_uris.get(page.src_uri)  # posix already: no PurePath per file
            if existing is not None:
                log.warning(f"{existing.src_uri}: replaced by the journal's generated page of the same name; rename it")
                files.remove(existing)
            # Thousands of entries never go into the nav: only the four top pages do.
            inclusion = InclusionLevel.INCLUDED if page.src_uri in IN_NAV else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.src_uri, content=self.stub(page), inclusion=inclusion))
        for unused in _unused_theme_files(files, config):
            files.remove(unused)
        _whole_ids_in_queries(files, config)
        search = _search_plugin(config)
        try:
            self.search = search_kind(settings.search, len(index.entries), self.serving) if search else "material"
        except SettingsError as error:
            raise PluginError(str(error)) from None
        config.extra["mljournal_search"] = self.search  # the theme tells the pages' script
        if self.search == "pagefind":
            search.search_index.add_entry_from_context = lambda page: None  # Pagefind reads the built pages
        elif search is not None:
            keep_search_entries(search, settings.cache_dir)
        for asset in rendered.assets:
            existing = files.src_uris.get(asset.dest_uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, asset.dest_uri, abs_src_path=str(asset.source)))
        for made in rendered.files:
            existing = files.src_uris.get(made.dest_uri)
            if existing is not None:
                log.warning(f"{existing.src_uri}: replaced by the journal's {made.dest_uri}; rename it")
                files.remove(existing)
            files.append(File.generated(config, made.dest_uri, content=made.content))
        if self.nav_is_ours:
            extra = sorted(
                f.src_uri for f in files.documentation_pages() if f.src_uri not in self.pages
            )
            config.nav = NAV + extra
        return files

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Pagefind's index, when the site uses it; a plain `mkdocs build` marks its site too:
        a later build may replace that folder."""
        if self.search == "pagefind":  # never under `journal serve`: its pages change in place
            copies = {page.src_uri for page in self.rendered.pages if not page.searchable} if self.rendered else set()
            left_out = frozenset(file.dest_uri for file in self.files or [] if file.src_uri in copies)
            self.release()
            try:
                index_site(Path(config.site_dir), left_out, self.last_site, self.settings.cache_dir)
            except BuildError as error:
                raise PluginError(str(error)) from None
            empty_material_index(Path(config.site_dir))
        if self.folders is not None:  # after Pagefind, which writes into the last site's pagefind/ folders
            self.folders.remove_unused()
            self.folders = None
        mark_built(Path(config.site_dir))

    def on_build_error(self, *, error: Exception) -> None:
        if self.folders is not None:
            self.folders.stop()
            self.folders = None

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        self.nav, self.files = nav, files
        return nav

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        self.env = env
        if self.folders is not None:  # every file is known, none written yet
            self.folders.clear_for(file.dest_uri for file in files)
        if self.settings is not None and env.bytecode_cache is None:
            # the theme's templates compiled once, not in every build (a third of a second);
            # Jinja keys each by its source's checksum
            import jinja2

            folder = self.settings.cache_dir / "templates"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
            except OSError:
                pass  # no cache folder: compiled as before
        return env

    def accept(self, index: JournalIndex, rendering: Rendering) -> None:
        """The journal and pages the site now shows."""
        rendered = rendering.site
        self.index, self.rendering, self.rendered = index, rendering, rendered
        self.entry_count, self.model_count, self.page_count = len(index.entries), len(index.models), len(rendered.pages)
        self.warning_count = len(index.diagnostics) + len(rendered.diagnostics)
        self.pages = {page.src_uri: page for page in rendered.pages}

    def release(self) -> None:
        """Once a build's pages are written: the journal read, its render and this process's
        caches of them are not needed again, and Pagefind, run next, needs the memory (a
        10,000-entry journal's metrics alone are 200 MB)."""
        import gc

        from mljournal.cache import clear_memory

        self.index = self.rendering = self.rendered = None
        self.pages = {}
        clear_memory()
        gc.collect()
        try:  # glibc keeps what was freed for this process; hand it back (Linux)
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass

    @staticmethod
    def stub(page: SitePage) -> str:
        """The Markdown MkDocs reads for a generated page: only its title and layout."""
        hide = json.dumps(list(page.hide))
        search = "" if page.searchable else "search: {exclude: true}\n"
        # The theme puts the title into the page unescaped (the header's topic, the nav): it
        # goes in as HTML text, so a tag named "<img onerror=…>" is shown, never run.
        return f"---\ntitle: {json.dumps(str(e(page.title)))}\nhide: {hide}\n{search}---\n"

    # The search plugin parses every page's HTML in Python, then leaves out what is marked
    # data-search-exclude: the copies of entries on model pages, which are most of them. We
    # hand it the page without those copies, and put them back before the page is written.
    # It also reads text without spaces between elements ("done#summary #final2026-11-20"):
    # its copy gets a space between tags.
    @event_priority(100)
    def _hide_copies_from_search(self, context, *, page: Page, config: MkDocsConfig, nav):
        if page.file.src_uri in self.pages and page.content:
            self._full_content = page.content
            page.content = _EXCLUDED.sub("", page.content).replace("><", "> <")
        return context

    @event_priority(-100)
    def _restore_copies(self, context, *, page: Page, config: MkDocsConfig, nav):
        full, self._full_content = getattr(self, "_full_content", None), None
        if full is not None:
            page.content = full
        return context

    on_page_context = CombinedEvent(_hide_copies_from_search, _restore_copies)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """The theme's indentation out of the journal's pages (a tenth of their bytes); the
        text inside <pre>, <textarea> and <script> is left exactly as it is."""
        if page.file.src_uri not in self.pages:
            return output
        return squeeze_whitespace(output)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        ours = self.pages.get(page.file.src_uri)
        if ours is None:
            return html
        page.toc = get_toc([{"level": t.level, "id": t.id, "name": t.title, "children": []} for t in ours.toc])
        body = resolve_root(ours.html, page.url)
        return f'<div class="mj-page">{body}</div><!--/mj-page-->'



# Words for search as Material splits them, but never at '-', '_' or '.' inside a word: a
# model ID ("mlp-4", "tcn_v2.1") is one token, so searching it finds that model and not
# every "-4" (Material's default, "[\\s\\-]+", found hgb-4 and linear-4 for mlp-4).
SEARCH_SEPARATOR = r"""[\s,;:!?()\[\]{}"'/|<>]+|\.(?!\w)|&[lg]t;"""


_SEPARATOR_SET = "lunr.tokenizer.separator=new RegExp(e.separator),"


def _whole_ids_in_queries(files: Files, config: MkDocsConfig) -> None:
    """Material's search worker sets lunr's separator for the index but not for queries
    (lunr's query lexer keeps the separator it was loaded with), so "mlp-4" typed is still
    split at '-'. The worker is served with the query lexer following the same separator."""
    for file in list(files):
        if not (file.src_uri.startswith("assets/javascripts/workers/search.") and file.src_uri.endswith(".min.js")):
            continue
        text = Path(file.abs_src_path).read_text(encoding="utf-8") if file.abs_src_path else None
        if not text or text.count(_SEPARATOR_SET) != 1:
            return  # another Material: its worker as it is (the browser test says so)
        patched = text.replace(_SEPARATOR_SET, "lunr.tokenizer.separator=lunr.QueryLexer.termSeparator=new RegExp(e.separator),")
        files.remove(file)
        files.append(File.generated(config, file.src_uri, content=patched))


def _search_plugin(config: MkDocsConfig):
    return next((config.plugins[name] for name in ("material/search", "search") if name in config.plugins), None)


def _unused_theme_files(files: Files, config: MkDocsConfig) -> list[File]:
    """Material's files no reader's browser asks for: source maps (for the theme's own
    debugging, 1.2 MB) and the search stemmers of languages the search is not set to (0.9 MB
    of lunr/*.js when it is English only)."""
    search = _search_plugin(config)
    languages = set(getattr(getattr(search, "config", None), "lang", None) or ["en"])
    needed = {f"lunr.{lang}.min.js" for lang in languages}
    if languages != {"en"}:
        needed |= {"lunr.stemmer.support.min.js", "lunr.multi.min.js"}
    if languages & {"ja", "jp"}:
        needed |= {"lunr.ja.min.js", "lunr.jp.min.js", "tinyseg.js"}
    if "th" in languages:
        needed.add("wordcut.js")
    unused = []
    for file in files:
        uri = file.src_uri
        if not uri.startswith("assets/javascripts/"):
            continue
        if uri.endswith(".map") or (uri.startswith("assets/javascripts/lunr/") and uri.rsplit("/", 1)[-1] not in needed):
            unused.append(file)
    return unused


_VERBATIM = re.compile(r"(<(pre|textarea|script|style|code|kbd|samp)\b.*?</\2>)", re.S | re.I)
_BETWEEN_TAGS = re.compile(r">\s+<")
_INDENT = re.compile(r"\n\s+")


def squeeze_whitespace(html: str) -> str:
    """The theme's indentation out of a page: runs of white space between tags become one
    space (which keeps inline elements apart as before), indentation after a line break
    goes. The journal's own part of the page (which has no indentation, but may have code
    whose spaces matter) and verbatim blocks are left exactly as they are."""
    start, end = html.find('<div class="mj-page">'), html.find("<!--/mj-page-->")
    if 0 <= start < end:
        return _squeeze(html[:start]) + html[start:end] + _squeeze(html[end:])
    return _squeeze(html)


def _squeeze(html: str) -> str:
    pieces = _VERBATIM.split(html)
    out = []
    for position in range(0, len(pieces), 3):
        out.append(_BETWEEN_TAGS.sub("> <", _INDENT.sub("\n", pieces[position])))
        if position + 1 < len(pieces):
            out.append(pieces[position + 1])
    return "".join(out)
