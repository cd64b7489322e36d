"""The conclusion table: one row per model, most recently active first, paged.

The home page is its first page; the best value of each key metric is bold across all
models, not just one page's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from markupsafe import Markup

from mljournal.index import JournalIndex, Model
from mljournal.reading.entries import Entry
from mljournal.reading.runs import best, find_metric, goal_of, last
from mljournal.rendering.html import e, number, url, when
from mljournal.rendering.pages.kit import Context, PageKit, SitePage, pager
from mljournal.rendering import routes
from mljournal.rendering.routes import CONCLUSIONS, paginate

ROUTES = (CONCLUSIONS,)


def pages(ctx: Context) -> Iterator[SitePage]:
    ranked = by_family(ctx.index)
    size = ctx.index.settings.conclusions_page_size
    chunks = paginate(ranked, size)
    links = [(f"{1 + (n - 1) * size}–{min(n * size, len(ranked))}", ctx.page_url(CONCLUSIONS.source(n)))
             for n in range(1, len(chunks) + 1)]
    table = ctx.key_metrics
    for page, chunk in enumerate(chunks, start=1):
        title = "Conclusions" if page == 1 else f"Conclusions ({links[page - 1][0]})"
        nav = pager(links, links[page - 1][1], "Conclusion pages")
        yield ctx.page(CONCLUSIONS, title, home_page(ctx.kit, ctx.section_html, table, chunk, nav, title,
                                                      first_page=page == 1), page)


def models_by_recency(index: JournalIndex) -> list[Model]:
    """Most recently active first."""
    return sorted(index.models.values(), key=lambda m: (m.last is not None, m.last, m.id), reverse=True)


def by_family(index: JournalIndex) -> list[Model]:
    """The conclusion table's order: families by their most recent activity, and in each
    family its models latest first."""
    ranked = models_by_recency(index)
    rank: dict[str, int] = {}
    for position, model in enumerate(ranked):
        rank.setdefault(model.family, position)
    return sorted(ranked, key=lambda m: rank[m.family])


@dataclass
class KeyMetrics:
    """The home table's metric columns: each model's best value, and the best of all."""

    metrics: list[str]
    goals: dict[str, str]
    bests: dict[str, dict[str, tuple[int, float]]]  # model -> metric -> (step, value)
    named: dict[tuple[str, str], str]  # (model, key metric) -> the model's own name for it
    trusted: set[str]  # models not marked buggy
    champions: dict[str, float]
    family_sizes: dict[str, int] = field(default_factory=dict)  # family -> its models


def key_metrics(index: JournalIndex) -> KeyMetrics:
    metrics = index.key_metrics
    goals = {m: goal_of(m, index.settings.metric_goals) for m in metrics}
    models = list(index.models.values())
    groups = index.metric_groups
    bests: dict[str, dict[str, tuple[int, float]]] = {}
    named: dict[tuple[str, str], str] = {}  # (model, key metric) -> the model's own name for it
    for model in models:
        if not model.run:
            continue
        bests[model.id] = {}
        for m in metrics:
            found = find_metric(model.run.metrics, m, groups)
            # Without a better way (no goal), the table shows the last value, and crowns none.
            top = (best(found[1], goals[m]) if goals[m] else last(found[1])) if found else None
            if top:
                bests[model.id][m] = top
                named[model.id, m] = found[0]
            elif (result := _result(model.run, m, groups)) is not None:  # only in a results file
                bests[model.id][m] = (None, result[1])
                named[model.id, m] = result[0]
    # A model marked buggy keeps its row, but its numbers are not trusted to be the best.
    trusted = {m.id for m in models if m.status_key != "buggy"}
    champions: dict[str, float] = {}
    for metric in metrics:
        values = [b[metric][1] for model_id, b in bests.items() if metric in b and model_id in trusted]
        if values and goals[metric]:
            champions[metric] = min(values) if goals[metric] == "min" else max(values)
    return KeyMetrics(metrics, goals, bests, named, trusted, champions,
                      dict(Counter(model.family for model in models)))


def _result(run, metric: str, groups: dict[str, tuple[str, ...]]) -> tuple[str, float] | None:
    """A key metric a run has no curve of, from its final results ({split}_results.json):
    (the name it has there, e.g. eval_accuracy, its value)."""
    names = groups.get(metric, (metric,))
    for part in run.parts:
        for split, values in part.results.items():
            for name, value in values.items():
                full = name if name.startswith(f"{split}_") else f"{split}_{name}"
                if (full in names or full == metric) and value == value:
                    return full, value
    return None


def home_page(kit: PageKit, section_html: Callable[[Entry, str], Markup], table: KeyMetrics, shown: list[Model],
              pager: Markup = Markup(""), title: str = "Conclusions", first_page: bool = True) -> Markup:
    """The conclusion table: a row per model in `shown` (a page of `by_family`), under a header
    row per family; hypothesis and conclusion are clamped to two lines, the whole text a click
    away. The best value of each key metric is bold across all models, not just this page's.
    Every row carries what the table's script sorts and filters by; without the script it is a
    plain table."""
    index = kit.index
    metrics = table.metrics
    head = "".join(
        f'<th class="mj-num" data-key="m:{e(m)}" data-goal="{table.goals[m] or ""}" '
        f'title="{_goal_title(table.goals[m])}">{_sort(m)}</th>' for m in metrics)
    columns = 6 + len(metrics)
    rows, family = [], None
    counts = table.family_sizes
    for model in shown:
        if model.family != family:
            family = model.family
            count = counts[family]
            rows.append(f'<tr class="mj-family" data-family="{e(family)}"><th colspan="{columns}" scope="rowgroup">'
                        f'{e(family)} <small>{count} model{"s" if count != 1 else ""}</small></th></tr>')
        rows.append(_row(kit, section_html, table, model))
    # Counts on the first page only: a new entry then changes no other page of the table.
    counts = f"{len(index.models)} models, {len(index.entries)} entries. " if first_page else ""
    facts = (
        f'<p class="mj-summary">{counts}<a href="{url(kit.links.timeline)}">timeline</a> · '
        f'<a href="{url(kit.links.models)}">lineage</a> · <a href="{url(kit.links.tags)}">tags</a> · '
        f'<a href="{url(routes.CONCLUSIONS_CSV)}" download title="this table as CSV, for spreadsheets">CSV</a> · '
        f'<a href="{url(routes.CONCLUSIONS_JSON)}" title="this table as JSON">JSON</a></p>'
    )
    html = (
        f'<div class="mj-table-wrap" data-search-exclude><table class="mj-conclusions" data-columns="{columns}">'
        f'<thead><tr><th data-key="id">{_sort("Model")}</th><th data-key="parent">{_sort("Parent")}</th>'
        f'<th data-key="last">{_sort("Dates")}</th><th data-key="status">{_sort("Status")}</th>'
        f'<th>Hypothesis</th><th>Conclusion</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return Markup(f'<div class="mj-home" data-compare-url="{url(kit.links.compare)}"><h1>{e(title)}</h1>'
                  f'<div class="mj-bar">{facts}{_filters(shown)}{pager}</div>{html}{pager}</div>')


# The table's controls are in the page, not added by its script, so nothing moves as the page
# starts (Lighthouse's layout shift); the script makes them work and sets them from the URL.
def _sort(label: str) -> Markup:
    return Markup(f'<button type="button" class="mj-sort">{e(label)}</button>')


def _filters(shown: list[Model]) -> str:
    """Filters by text, family, tag and status (the values of this page's rows) and grouping."""
    def select(name: str, values: set[str]) -> str:
        options = "".join(f"<option>{e(v)}</option>" for v in sorted(v for v in values if v))
        return f'<label>{name} <select name="{name}"><option value="">all</option>{options}</select></label>'

    return ('<form class="mj-filters" role="search"><label>Filter <input type="search" name="q" placeholder="text" '
            'size="10"></label>' + select("family", {m.family for m in shown})
            + select("tag", {t for m in shown for t in m.tags})
            + select("status", {m.status_key for m in shown})
            + '<label><input type="checkbox" name="group" checked> by family</label> '
            '<span class="mj-shown" aria-live="polite"></span></form>')


def _goal_title(goal: str | None) -> str:
    if goal is None:
        return "last value (which way is better is not known: set it in metric_goals)"
    return f"best value ({'lowest' if goal == 'min' else 'highest'})"


def _row(kit: PageKit, section_html: Callable[[Entry, str], Markup], table: KeyMetrics, model: Model) -> str:
    index = kit.index
    model_url = url(kit.links.model(model.id))

    def text_cell(label: str, html: str) -> str:
        """Clamped to two lines; the link opens the whole text (the script shows it in place,
        over the table; without it, the link leads to the model page)."""
        if not html:
            return f'<td class="mj-text" data-label="{label}"></td>'
        return (f'<td class="mj-text" data-label="{label}"><div class="mj-clamp">{html}</div>'
                f'<a class="mj-whole" href="{model_url}" title="the whole {label}" aria-label="the whole {label} '
                f'of {e(model.id)}">⋯</a></td>')

    hypothesis = model.latest("hypothesis")
    conclusion = model.latest("conclusion")
    conclusion_html = ""
    if conclusion:
        entry, section = conclusion
        conclusion_html = str(section_html(entry, section.text))
        fixes = index.corrections.get(entry.key)
        if fixes:
            conclusion_html += f'<p class="mj-corrected">Corrected by {kit.entry_link(fixes[-1])}.</p>'
        earlier, later = model.others("conclusion")
        for items, which in ((later, "later conclusion{}, from entries about several models"),
                             (earlier, "earlier conclusion{}, newest first")):
            if items:
                # spaces between the parts: search's text of the page would run them together
                listed = " ".join(f'<div class="mj-earlier">{kit.entry_link(en, when(en.date, False))} '
                                  f'{section_html(en, s.text)}</div>' for en, s in items)
                summary = f"{len(items)} " + which.format("s" if len(items) != 1 else "")
                conclusion_html += f'<details class="mj-others"><summary>{summary}</summary> {listed}</details>'
    cells = []
    for metric in table.metrics:
        found = table.bests.get(model.id, {}).get(metric)
        if found:
            trusted = model.id in table.trusted
            strong = found[1] == table.champions.get(metric) and trusted
            value = f"<strong>{number(found[1])}</strong>" if strong else number(found[1])
            note = "" if trusted else ", from a model marked buggy"
            if table.named[model.id, metric] != metric:
                note += f", as {e(table.named[model.id, metric])}"
            cells.append(f'<td class="mj-num{"" if trusted else " mj-untrusted"}" data-label="{e(metric)}" '
                         f'data-v="{found[1]!r}" title="{"step " + str(found[0]) if found[0] is not None else "final result"}'
                         f'{note}">{value}</td>')
        else:
            cells.append(f'<td class="mj-num mj-none" data-label="{e(metric)}">–</td>')
    dates = ""
    if model.first:
        first, latest = when(model.first, False), when(model.last, False)
        # one line, so a row is as tall as its texts: the year once when both share it
        shown_latest = latest[5:] if latest[:4] == first[:4] else latest
        dates = first if first == latest else f'{first} – <span title="{latest}">{shown_latest}</span>'
    tags = " ".join(model.tags)
    return (
        f'<tr data-id="{e(model.id)}" data-family="{e(model.family)}" data-status="{e(model.status_key)}" '
        f'data-tags="{e(tags)}" data-last="{when(model.last, False) if model.last else ""}">'
        f'<td class="mj-id">{kit.tick_box(model.id)}{kit.model_link(model.id)}</td>'
        f'<td data-label="parent" data-v="{e(model.parent or "")}">{kit.model_link(model.parent) if model.parent else ""}</td>'
        f'<td class="mj-dates" data-label="dates">{dates}</td>'
        f'<td data-label="status">{kit.status(model.status)}</td>'
        + text_cell("hypothesis", str(section_html(hypothesis[0], hypothesis[1].text)) if hypothesis else "")
        + text_cell("conclusion", conclusion_html)
        + "".join(cells)
        + "</tr>"
    )
