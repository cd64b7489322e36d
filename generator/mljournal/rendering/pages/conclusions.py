"""The conclusion table: one row per model, most recently active first, paged.

The home page is its first page; the best value of each key metric is bold across all
models, not just one page's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markupsafe import Markup

from mljournal.index import JournalIndex, Model
from mljournal.reading.entries import Entry
from mljournal.reading.runs import best, find_metric, goal_of
from mljournal.reading.sections import first_paragraph
from mljournal.rendering.html import e, number, url, when
from mljournal.rendering.pages.kit import Context, PageKit, SitePage, pager
from mljournal.rendering.routes import CONCLUSIONS, paginate
from mljournal.settings import same_metric_groups

ROUTES = (CONCLUSIONS,)


def pages(ctx: Context) -> Iterator[SitePage]:
    ranked = models_by_recency(ctx.index)
    size = ctx.index.settings.conclusions_page_size
    chunks = paginate(ranked, size)
    links = [(f"{1 + (n - 1) * size}–{min(n * size, len(ranked))}", ctx.page_url(CONCLUSIONS.source(n)))
             for n in range(1, len(chunks) + 1)]
    table = key_metrics(ctx.index)
    for page, chunk in enumerate(chunks, start=1):
        title = "Conclusions" if page == 1 else f"Conclusions ({links[page - 1][0]})"
        nav = pager(links, links[page - 1][1], "Conclusion pages")
        yield ctx.page(CONCLUSIONS, title, home_page(ctx.kit, ctx.section_html, table, chunk, nav, title,
                                                      first_page=page == 1), page)


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


def home_page(kit: PageKit, section_html: Callable[[Entry, str], Markup], table: KeyMetrics, shown: list[Model],
              pager: Markup = Markup(""), title: str = "Conclusions", first_page: bool = True) -> Markup:
    """The conclusion table: one row per model in `shown` (a page of `models_by_recency`); the
    best value of each key metric is bold across all models, not just this page's."""
    index = kit.index
    metrics, goals, bests, named = table.metrics, table.goals, table.bests, table.named
    trusted, champions = table.trusted, table.champions
    head = "".join(
        f'<th class="mj-num" title="best value ({"lowest" if goals[m] == "min" else "highest"})">{e(m)}</th>'
        for m in metrics
    )
    def brief(text: str, entry: Entry, model_id: str) -> Markup:
        """The first paragraph of a section; the rest is a click away on the model page."""
        first, more = first_paragraph(text)
        html = section_html(entry, first)
        if more:
            html += Markup(f'<a class="mj-more" href="{url(kit.links.model(model_id))}">more…</a>')
        return Markup(html)

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
                conclusion_html += Markup(f'<p class="mj-corrected">Corrected by {kit.entry_link(fixes[-1])}.</p>')
            earlier = model.earlier("conclusion")
            if earlier:
                shown = "".join(
                    f'<div class="mj-earlier">{kit.entry_link(en, when(en.date, False))}{brief(s.text, en, model.id)}</div>'
                    for en, s in earlier
                )
                conclusion_html += Markup(f"<details><summary>{len(earlier)} earlier</summary>{shown}</details>")
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
    return Markup(f"<h1>{e(title)}</h1>{facts}{pager}{html}{pager}")
