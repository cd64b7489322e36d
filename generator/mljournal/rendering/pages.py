"""The HTML of each generated page, from the index and the rendered entries.

Every function returns a fragment whose URLs start with ROOT; strings from front matter and
run files are always escaped with `e`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass

from mljournal.index import JournalIndex, Model, tag_slug
from mljournal.reading.entries import Entry
from mljournal.reading.runs import best, find_metric, goal_of, last
from mljournal.reading.sections import first_paragraph
from mljournal.rendering.html import e, number, url, when
from mljournal.rendering.run_html import excerpts_html, results_html, run_html
from mljournal.settings import STATUSES, same_metric_groups


_HEADING = re.compile(r"<(h[1-6]) ")


@dataclass(frozen=True)
class PlotImage:
    url: str
    width: int
    height: int
    metrics: tuple[str, ...]
    parent_overlaid: bool


@dataclass(frozen=True)
class TocItem:
    level: int
    id: str
    title: str


@dataclass
class Links:
    """Site URLs (root-relative, unescaped) of generated pages."""

    model: Callable[[str], str]
    entry: Callable[[Entry], str]  # the page an entry is on; its anchor is entry.anchor
    tag: Callable[[str], str]
    timeline: str
    models: str
    tags: str


class PageKit:
    """Shared pieces: entry cards, badges, links. One per build."""

    def __init__(self, index: JournalIndex, links: Links, entry_html: dict[str, str]) -> None:
        self.index = index
        self.links = links
        self.entry_html = entry_html

    def model_link(self, model_id: str, css: str = "mj-model") -> str:
        if model_id in self.index.models:
            return f'<a class="{css}" href="{url(self.links.model(model_id))}">{e(model_id)}</a>'
        return f'<span class="{css} mj-unknown" title="no such model">{e(model_id)}</span>'

    def status(self, status: str | None) -> str:
        if not status:
            return ""
        known = status.lower() if status.lower() in STATUSES else "other"
        return f'<span class="mj-status mj-status--{known}">{e(status)}</span>'

    def tag_link(self, name: str) -> str:
        return f'<a class="mj-tag" href="{url(self.links.tag(tag_slug(name)))}">#{e(name)}</a>'

    def entry_url(self, entry: Entry) -> str:
        return url(self.links.entry(entry), entry.anchor)

    def entry_link(self, entry: Entry, text: str | None = None) -> str:
        label = text if text is not None else e(entry.name)
        return f'<a href="{self.entry_url(entry)}">{label}</a>'

    def line(self, entry: Entry, text: str) -> str:
        """An entry in one line: date (a link to it on its timeline page), models, status and
        a short text; for lists that would be too long as cards (mentions, tags). Thousands
        of these make a journal's list pages, so the markup is bare: the list's CSS knows
        the date is the first link and the text the last span."""
        parts = [f'<a href="{self.entry_url(entry)}">{when(entry.date, False)}</a>',
                 *(self.model_link(m, "mj-badge") for m in entry.models), self.status(entry.status),
                 f"<span>{e(text)}</span>"]
        return f'<li>{" ".join(p for p in parts if p)}</li>'

    def card(self, entry: Entry, note: str = "", searchable: bool = False, on_page_of: str | None = None) -> str:
        """An entry as a card. Only its home (its timeline page) is `searchable`: the copies on
        model and tag pages are left out of the search index, headings included. On the page
        of a model (`on_page_of`) its own badge is left out: the page says whose it is."""
        index = self.index
        badges = " ".join(self.model_link(m, "mj-badge") for m in entry.models if m != on_page_of)
        tags = " ".join(self.tag_link(t) for t in entry.tags)
        title = f'<span class="mj-entry__title">{e(entry.title)}</span>' if entry.title else ""
        parts = [
            f'<article class="mj-entry" id="{e(entry.anchor)}"{"" if searchable else " data-search-exclude"}>',
            '<header class="mj-entry__head">',
            f'<a class="mj-entry__date" href="{self.entry_url(entry)}"><time datetime="{entry.date.isoformat()}">'
            f"{when(entry.date, entry.has_time)}{offset(entry)}</time></a>",
            badges,
            self.status(entry.status),
            title,
            tags,
            f'<span class="mj-entry__note">{note}</span>' if note else "",
            "</header>",
        ]
        target = index.corrected.get(entry.key)
        if target is not None:
            parts.append(
                f'<p class="mj-corrects">Corrects {self.entry_link(target)} of {when(target.date, False)}.</p>'
            )
        for fix in index.corrections.get(entry.key, []):
            parts.append(
                f'<p class="mj-corrected">Corrected by {self.entry_link(fix)} on {when(fix.date, False)}: '
                "read it before trusting this entry.</p>"
            )
        body = self.entry_html.get(entry.key, "")
        if not searchable:
            body = _HEADING.sub(r"<\1 data-search-exclude ", body)
        parts.append(f'<div class="mj-entry__body">{body}</div>')
        parts.append("</article>")
        return "".join(p for p in parts if p)


def models_by_recency(index: JournalIndex) -> list[Model]:
    """Most recently active first: the order of the conclusion table."""
    return sorted(index.models.values(), key=lambda m: (m.last is not None, m.last, m.id), reverse=True)


@dataclass
class KeyMetrics:
    """The home table's metric columns: each model's best value, and the best of all."""

    metrics: list[str]
    goals: dict[str, str]
    bests: dict[str, dict[str, tuple[int, float]]]  # model -> metric -> (step, value)
    named: dict[tuple[str, str], str]  # (model, key metric) -> the model's own name for it
    trusted: set[str]  # models not marked buggy
    champions: dict[str, float]


def key_metrics(index: JournalIndex) -> KeyMetrics:
    metrics = index.key_metrics
    goals = {m: goal_of(m, index.settings.metric_goals) for m in metrics}
    models = list(index.models.values())
    groups = same_metric_groups(index.settings.metric_aliases)
    bests: dict[str, dict[str, tuple[int, float]]] = {}
    named: dict[tuple[str, str], str] = {}  # (model, key metric) -> the model's own name for it
    for model in models:
        if not model.run:
            continue
        bests[model.id] = {}
        for m in metrics:
            found = find_metric(model.run.metrics, m, groups)
            top = best(found[1], goals[m]) if found else None
            if top:
                bests[model.id][m] = top
                named[model.id, m] = found[0]
    # A model marked buggy keeps its row, but its numbers are not trusted to be the best.
    trusted = {m.id for m in models if (m.status or "").lower() != "buggy"}
    champions: dict[str, float] = {}
    for metric in metrics:
        values = [b[metric][1] for model_id, b in bests.items() if metric in b and model_id in trusted]
        if values:
            champions[metric] = min(values) if goals[metric] == "min" else max(values)
    return KeyMetrics(metrics, goals, bests, named, trusted, champions)


def home_page(kit: PageKit, section_html: Callable[[Entry, str], str], table: KeyMetrics, shown: list[Model],
              pager: str = "", title: str = "Conclusions", first_page: bool = True) -> str:
    """The conclusion table: one row per model in `shown` (a page of `models_by_recency`); the
    best value of each key metric is bold across all models, not just this page's."""
    index = kit.index
    metrics, goals, bests, named = table.metrics, table.goals, table.bests, table.named
    trusted, champions = table.trusted, table.champions
    head = "".join(
        f'<th class="mj-num" title="best value ({"lowest" if goals[m] == "min" else "highest"})">{e(m)}</th>'
        for m in metrics
    )
    def brief(text: str, entry: Entry, model_id: str) -> str:
        """The first paragraph of a section; the rest is a click away on the model page."""
        first, more = first_paragraph(text)
        html = section_html(entry, first)
        if more:
            html += f'<a class="mj-more" href="{url(kit.links.model(model_id))}">more…</a>'
        return html

    rows = []
    for model in shown:
        hypothesis = model.latest("hypothesis")
        conclusion = model.latest("conclusion")
        conclusion_html = ""
        if conclusion:
            entry, section = conclusion
            conclusion_html = brief(section.text, entry, model.id)
            fixes = index.corrections.get(entry.key)
            if fixes:
                conclusion_html += f'<p class="mj-corrected">Corrected by {kit.entry_link(fixes[-1])}.</p>'
            earlier = model.earlier("conclusion")
            if earlier:
                shown = "".join(
                    f'<div class="mj-earlier">{kit.entry_link(en, when(en.date, False))}{brief(s.text, en, model.id)}</div>'
                    for en, s in earlier
                )
                conclusion_html += f"<details><summary>{len(earlier)} earlier</summary>{shown}</details>"
        cells = []
        for metric in metrics:
            found = bests.get(model.id, {}).get(metric)
            if found:
                strong = found[1] == champions.get(metric) and model.id in trusted
                value = f"<strong>{number(found[1])}</strong>" if strong else number(found[1])
                doubt = "" if model.id in trusted else " mj-untrusted"
                note = "" if model.id in trusted else ", from a model marked buggy"
                if named[model.id, metric] != metric:
                    note += f", as {e(named[model.id, metric])}"
                cells.append(f'<td class="mj-num{doubt}" data-label="{e(metric)}" title="step {found[0]}{note}">{value}</td>')
            else:
                cells.append(f'<td class="mj-num mj-none" data-label="{e(metric)}">–</td>')
        dates = ""
        if model.first:
            first, latest = when(model.first, False), when(model.last, False)
            dates = first if first == latest else f'{first}<br><span class="mj-to"> – </span>{latest}'
        rows.append(
            "<tr>"
            f'<td class="mj-id">{kit.model_link(model.id)}</td>'
            f'<td data-label="parent">{kit.model_link(model.parent) if model.parent else ""}</td>'
            f'<td class="mj-dates" data-label="dates">{dates}</td>'
            f'<td data-label="status">{kit.status(model.status)}</td>'
            f'<td class="mj-text" data-label="hypothesis">{brief(hypothesis[1].text, hypothesis[0], model.id) if hypothesis else ""}</td>'
            f'<td class="mj-text" data-label="conclusion">{conclusion_html}</td>'
            + "".join(cells)
            + "</tr>"
        )
    # Counts on the first page only: a new entry then changes no other page of the table.
    counts = f"{len(index.models)} models, {len(index.entries)} entries. " if first_page else ""
    facts = (
        f'<p class="mj-summary">{counts}'
        f'Latest first; <a href="{url(kit.links.timeline)}">timeline</a> · '
        f'<a href="{url(kit.links.models)}">lineage</a> · <a href="{url(kit.links.tags)}">tags</a>.</p>'
    )
    html = (
        '<div class="mj-table-wrap" data-search-exclude><table class="mj-conclusions">'
        "<thead><tr><th>Model</th><th>Parent</th><th>Dates</th><th>Status</th>"
        f"<th>Hypothesis</th><th>Conclusion</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return f"<h1>{e(title)}</h1>{facts}{pager}{html}{pager}"


def timeline_page(kit: PageKit, title: str, entries: list[Entry], pager: str, steps: str, searchable: bool) -> str:
    cards = "".join(kit.card(entry, searchable=searchable) for entry in entries)
    return f'<h1>{e(title)}</h1>{pager}<div class="mj-entries">{cards}</div>{steps}'


def timeline_pager(pages: list[tuple[str, int, str]], current: str) -> str:
    """Links to every timeline page, newest first, a line a year: each month's name links its
    first page and numbers its further ones. pages: (month "YYYY-MM", number, url). The
    entry counts are left out: they would make a new entry change every timeline page."""
    years: dict[str, list[list[str]]] = {}
    for month, number, link in pages:
        text = calendar.month_abbr[int(month[5:])] if number == 1 else str(number)
        css = ' class="mj-current" aria-current="page"' if link == current else ""
        piece = f'<a{css} href="{url(link)}" title="{page_label(month, number)}">{text}</a>'
        months = years.setdefault(month[:4], [])
        if number == 1 or not months:
            months.append([piece])
        else:
            months[-1].append(piece)
    lines = []
    for year, months in years.items():
        spans = "".join("<span>" + " ".join(links) + "</span>" for links in months)
        lines.append(f"<p><b>{year}</b> {spans}</p>")
    return f'<nav class="mj-pager mj-months" aria-label="Timeline pages" data-search-exclude>{"".join(lines)}</nav>'


def timeline_steps(pages: list[tuple[str, int, str]], current: str) -> str:
    """The newer and older timeline pages, for the end of one."""
    position = next((n for n, page in enumerate(pages) if page[2] == current), None)
    if position is None:
        return ""
    links = []
    if position > 0:
        month, number, link = pages[position - 1]
        links.append(f'<a rel="prev" href="{url(link)}">← {page_label(month, number)}</a>')
    if position + 1 < len(pages):
        month, number, link = pages[position + 1]
        links.append(f'<a rel="next" href="{url(link)}">{page_label(month, number)} →</a>')
    return f'<nav class="mj-pager mj-steps" aria-label="Newer and older pages">{"".join(links)}</nav>' if links else ""


def page_label(month: str, number: int) -> str:
    """A timeline page's name: its month, and its number after the first."""
    return month if number == 1 else f"{month} ({number})"


def model_page(
    kit: PageKit,
    model: Model,
    section_html: Callable[[Entry, str], str],
    plot: PlotImage | None,
    screenshots: list[tuple[str, str, str, int | None, int | None]],
) -> tuple[str, list[TocItem]]:
    """screenshots: (name, full url, thumb url, w, h)."""
    index = kit.index
    toc: list[TocItem] = []

    def heading(anchor: str, title: str) -> str:
        toc.append(TocItem(2, anchor, title))
        return f'<h2 id="{anchor}">{e(title)}</h2>'

    out = [f'<h1>{e(model.id)} {kit.status(model.status)}</h1>']
    facts = []
    if model.first:
        facts.append(f"{when(model.first, False)} – {when(model.last, False)}")
    facts.append(f"{len(model.entries)} entries, {len(model.mentions)} mentions")
    if model.tags:
        facts.append(" ".join(kit.tag_link(t) for t in model.tags))
    out.append(f'<p class="mj-facts">{" · ".join(facts)}</p>')

    chain = index.lineage(model.id)
    lineage = " → ".join(
        f"<strong>{e(m)}</strong>" if m == model.id else kit.model_link(m) for m in chain
    )
    if model.parent and not model.parent_known:
        lineage = f'{kit.model_link(model.parent)} → {lineage}'
    children = ", ".join(kit.model_link(c) for c in model.children)
    out.append(heading("lineage", "Lineage"))
    out.append(f'<p class="mj-lineage">{lineage}</p>')
    out.append(f'<p class="mj-children">Children: {children or "none yet"}</p>')

    card = []
    for name, label in (("hypothesis", "Hypothesis"), ("conclusion", "Conclusion")):
        found = model.latest(name)
        if found:
            card.append(f"<dt>{label} <small>{kit.entry_link(found[0], when(found[0].date, False))}</small></dt>"
                        f"<dd>{section_html(found[0], found[1].text)}</dd>")
    if card:  # copies of entries the timeline indexes
        out.append(f'<dl class="mj-card" data-search-exclude>{"".join(card)}</dl>')

    run = model.run
    if run and run.metrics:
        goals = index.settings.metric_goals
        out.append(heading("metrics", "Metrics"))
        rows = []
        tools = len(set(run.metric_tool.values())) > 1
        for metric, series in sorted(run.metrics.items()):
            final, top = last(series), best(series, goal_of(metric, goals))
            source = f' <small class="mj-tool">{e(run.metric_tool[metric])}</small>' if tools else ""
            rows.append(
                f"<tr><td>{e(metric)}{source}</td>"
                f'<td class="mj-num">{number(final[1]) if final else "–"}</td><td class="mj-num">{final[0] if final else ""}</td>'
                f'<td class="mj-num">{number(top[1]) if top else "–"}</td><td class="mj-num">{top[0] if top else ""}</td>'
                f'<td class="mj-num">{series.points()}</td></tr>'
            )
        out.append(
            '<div class="mj-table-wrap" data-search-exclude><table class="mj-metrics"><thead><tr><th>Metric</th><th class="mj-num">Last</th>'
            '<th class="mj-num">at step</th><th class="mj-num">Best</th><th class="mj-num">at step</th>'
            f'<th class="mj-num">Points</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        )
        if plot:
            compared = f" (dashed: parent {e(model.parent)})" if plot.parent_overlaid else ""
            out.append(
                f'<p class="mj-plots-note">Plots{compared}:</p><figure class="mj-plot"><a href="{url(plot.url)}">'
                f'<img src="{url(plot.url)}" alt="{e(", ".join(plot.metrics))} of {e(model.id)}" width="{plot.width}" '
                f'height="{plot.height}" loading="lazy" decoding="async"></a></figure>'
            )
    if run:
        tables = results_html(run)
        if tables:
            out.append(heading("results", "Results"))
            out.append(tables)
    if screenshots:
        out.append(heading("screenshots", "Screenshots"))
        out.append(_gallery(screenshots))
    if run:
        parent_run = index.models[model.parent].run if model.parent and model.parent_known else None
        code = excerpts_html(run, parent_run, model.parent)
        if code:
            out.append(heading("code", "Code"))
            out.append(code)
        details = run_html(run)
        if details:
            out.append(heading("run", "Run"))
            out.append(details)

    out.append(heading("entries", "Entries"))
    cards = "".join(kit.card(entry, on_page_of=model.id)
                    for entry in sorted(model.entries, key=lambda en: (en.date, en.key)))
    out.append(f'<div class="mj-entries">{cards or "<p>No entries yet.</p>"}</div>')
    if model.mentions:
        out.append(heading("mentions", f"Mentioned in {len(model.mentions)} entries"))
        lines = "".join(kit.line(entry, mention_context(entry.body, model.id))
                        for entry in sorted(model.mentions, key=lambda en: (en.date, en.key)))
        out.append(f'<ul class="mj-lines" data-search-exclude>{lines}</ul>')  # indexed on the timeline
    return "".join(out), toc


_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`>#|]+|<[^>]+>")


def plain(text: str) -> str:
    """Markdown as plain text, roughly: for one-line summaries, never for rendering."""
    return re.sub(r"\s+", " ", _MARKUP.sub(lambda m: m.group(1) or " ", text)).strip()


def mention_context(body: str, model_id: str, width: int = 160) -> str:
    """The words around the first mention of `model_id` in an entry, as plain text."""
    for paragraph in re.split(r"\n\s*\n", body):
        if model_id in paragraph:
            lines = [ln for ln in paragraph.splitlines() if not ln.lstrip().startswith("#")]
            if any(ln.lstrip().startswith("|") for ln in lines):  # a table: the row that names it
                lines = [ln for ln in lines if model_id in ln][:1]
            text = plain(" ".join(lines))
            at = text.find(model_id)
            if at < 0:
                continue
            start = max(0, at - width // 2)
            end = min(len(text), start + width)
            return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return summary(body, width)


def summary(body: str, width: int = 160) -> str:
    """The first lines of prose of an entry, as plain text."""
    words = []
    for line in body.splitlines():
        if line.lstrip().startswith(("#", "```", "|", "---")) or not line.strip():
            if words:
                break
            continue
        words.append(line)
    text = plain(" ".join(words))
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def offset(entry: Entry) -> str:
    """' +09' after a time: entries from several time zones sort by instant, not wall clock."""
    if not entry.has_time:
        return ""
    text = entry.date.strftime("%z")  # +0900
    text = text[:3] if text.endswith("00") else f"{text[:3]}:{text[3:]}"
    return f' <small class="mj-zone">{text}</small>'


def _gallery(shots: list[tuple[str, str, str, int | None, int | None]]) -> str:
    items = []
    for name, full, thumb, w, h in shots:
        size = f' width="{w}" height="{h}"' if w and h else ""
        items.append(
            f'<figure><a class="mj-shot" href="{url(full)}"><img src="{url(thumb)}" alt="{e(name)}"{size} '
            f'loading="lazy" decoding="async"></a><figcaption>{e(name)}</figcaption></figure>'
        )
    return f'<div class="mj-gallery">{"".join(items)}</div>'


def tag_page(kit: PageKit, name: str, entries: list[Entry], total: int, pager: str) -> str:
    """One page of a tag's entries, one line each (title, or the start of the text)."""
    lines = "".join(kit.line(entry, entry.title or summary(entry.body)) for entry in entries)
    return (f'<h1>#{e(name)}</h1><p class="mj-facts">{total} entries, newest first.</p>{pager}'
            f'<ul class="mj-lines">{lines}</ul>{pager}')


def pager(pages: list[tuple[str, str]], current: str, label: str) -> str:
    """Links to the pages of a list: (label, url); nothing when it fits on one page."""
    if len(pages) < 2:
        return ""
    items = []
    for text, link in pages:
        css = ' class="mj-current" aria-current="page"' if link == current else ""
        items.append(f'<a{css} href="{url(link)}">{e(text)}</a>')
    return f'<nav class="mj-pager" aria-label="{e(label)}">{"".join(items)}</nav>'


def tags_index_page(kit: PageKit) -> str:
    items = "".join(
        f'<li>{kit.tag_link(tag.name)} <small>{len(tag.entries)}</small></li>' for tag in kit.index.tags.values()
    )
    return f'<h1>Tags</h1><ul class="mj-tags">{items}</ul>'


def models_index_page(kit: PageKit) -> str:
    """The lineage forest: every model under its parent, families side by side."""
    models = kit.index.models

    def branch(model_id: str) -> str:
        model = models[model_id]
        dates = f' <small>{when(model.first, False)}</small>' if model.first else ""
        kids = "".join(branch(c) for c in model.children)
        return (f"<li>{kit.model_link(model_id)} {kit.status(model.status)}{dates}"
                + (f"<ul>{kids}</ul>" if kids else "") + "</li>")

    roots = [m for m in models.values() if not (m.parent and m.parent_known)]
    return f'<h1>Models</h1><p class="mj-facts">Each model under its parent.</p><ul class="mj-forest">{"".join(branch(r.id) for r in roots)}</ul>'


