"""A page per model: its lineage, summary card, metrics and plots, results, screenshots,
code, run, every entry about it and every entry that mentions it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from markupsafe import Markup

from mljournal.index import Model
from mljournal.reading.entries import Entry
from mljournal.reading.runs import best, goal_of, last
from mljournal.rendering.html import e, number, url, when
from mljournal.rendering.pages.kit import Context, PageKit, PlotImage, Screenshot, SitePage, TocItem, mention_context
from mljournal.rendering.pages.compare import link
from mljournal.rendering.images import MAX_SHOTS
from mljournal.rendering.plots import worth_a_panel
from mljournal.rendering.routes import MODEL
from mljournal.rendering.run_html import excerpts_html, results_html, run_html

ROUTES = (MODEL,)
MAX_METRICS = 200  # rows of its metrics table: a run may log a curve for every layer


def pages(ctx: Context) -> Iterator[SitePage]:
    plots = ctx.plots()
    for model_id, model in ctx.index.models.items():
        toc: list[TocItem] = []
        html = lambda: model_page(ctx.kit, model, ctx.section_html, plots.get(model_id),  # noqa: E731
                                  ctx.screenshots.get(model_id, []), toc)
        yield ctx.page(MODEL, model_id, html, toc=toc, key=model_id, model=model_id)


def model_page(kit: PageKit, model: Model, section_html: Callable[[Entry, str], Markup], plot: PlotImage | None,
               screenshots: list[Screenshot], toc: list[TocItem]) -> Markup:
    """The page's HTML; its sections' headings are added to `toc`."""
    index = kit.index

    def heading(anchor: str, title: str) -> Markup:
        toc.append(TocItem(2, anchor, title))
        return Markup(f'<h2 id="{e(anchor)}">{e(title)}</h2>')

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
    out.append(_compare_links(kit, model))

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
        for metric, series in sorted(run.metrics.items())[:MAX_METRICS]:
            goal = goal_of(metric, goals)
            final, top = last(series), best(series, goal)
            source = f' <small class="mj-tool">{e(run.metric_tool[metric])}</small>' if tools else ""
            # No best for what has no better (a learning rate, a runtime): its last value only.
            best_cells = (f'<td class="mj-num">{number(top[1]) if top else "–"}</td><td class="mj-num">{top[0] if top else ""}</td>'
                          if goal else '<td class="mj-num mj-none" title="no better way: set it in metric_goals" '
                          'colspan="2">·</td>')
            gaps = series.nans()
            points = f'{series.points()}{f" <small>({gaps} NaN)</small>" if gaps else ""}'
            rows.append(
                f"<tr><td>{e(metric)}{source}</td>"
                f'<td class="mj-num">{number(final[1]) if final else "–"}</td><td class="mj-num">{final[0] if final else ""}</td>'
                f'{best_cells}<td class="mj-num">{points}</td></tr>'
            )
        out.append(
            '<div class="mj-table-wrap" data-search-exclude><table class="mj-metrics"><thead><tr><th>Metric</th><th class="mj-num">Last</th>'
            '<th class="mj-num">at step</th><th class="mj-num">Best</th><th class="mj-num">at step</th>'
            f'<th class="mj-num">Points</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        )
        if len(run.metrics) > MAX_METRICS:
            out.append(f'<p class="mj-facts">… and {len(run.metrics) - MAX_METRICS} more metrics, not shown here: '
                       f'<a href="{link(kit.links.compare, [model.id])}">pick them on the compare page</a>.</p>')
        if plot:
            notes = [f"dashed: parent {e(model.parent)}"] if plot.parent_overlaid else []
            worth = sum(1 for name, series in run.metrics.items() if worth_a_panel(name, series))
            if worth > len(plot.metrics):
                notes.append(f"{len(plot.metrics)} of {worth} curves; the compare page has them all")
            compared = f" ({'; '.join(notes)})" if notes else ""
            # The curves open the compare page with the parent, where they can be read.
            target = link(kit.links.compare, [model.parent, model.id]) if plot.parent_overlaid else url(plot.url)
            narrow_target = target if plot.parent_overlaid else url(plot.narrow_url or plot.url)
            alt = f'{e(", ".join(plot.metrics))} of {e(model.id)}'
            # Two figures, one shown: panels side by side, or (under 600 px) one column of
            # narrower panels whose labels stay 11 px on a phone. A lazy image that is not
            # shown is not fetched.
            narrow = (f'<a class="mj-plot-narrow" href="{narrow_target}"><img src="{url(plot.narrow_url)}" '
                      f'alt="{alt}" width="{plot.narrow_width}" height="{plot.narrow_height}" loading="lazy" '
                      f'decoding="async"></a>' if plot.narrow_url else "")
            out.append(
                f'<p class="mj-plots-note">Plots{compared}:</p><figure class="mj-plot{" mj-plot--two" if narrow else ""}">'
                f'<a class="mj-plot-wide" href="{target}"><img src="{url(plot.url)}" alt="{alt}" '
                f'width="{plot.width}" height="{plot.height}" loading="lazy" decoding="async"></a>{narrow}</figure>'
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
        details = run_html(run, parent_run, model.parent)
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
    return Markup("".join(out))


def _gallery(shots: list[Screenshot]) -> Markup:
    """The screenshots; images a pixel or two high (weights a tool logged as pictures) apart,
    folded away."""
    pictures = [shot for shot in shots if not shot.strip]
    strips = [shot for shot in shots if shot.strip]
    html = _items(pictures[:MAX_SHOTS]) if pictures else Markup("")
    if len(pictures) > MAX_SHOTS:  # a run folder of 20,000 images would make a page of megabytes
        html += Markup(f'<p class="mj-facts">… and {len(pictures) - MAX_SHOTS} more images in the run folder, '
                       "not shown here.</p>")
    if strips:
        html += Markup(f'<details class="mj-strips"><summary>{len(strips)} image{"s" if len(strips) != 1 else ""} a few '
                       f'pixels high (weights or activations a tool logged as pictures)</summary>'
                       f'{_items(strips[:MAX_SHOTS])}</details>')
    return html


def _items(shots: list[Screenshot]) -> Markup:
    items = []
    for shot in shots:
        size = f' width="{shot.width}" height="{shot.height}"' if shot.width and shot.height else ""
        items.append(
            f'<figure><a class="mj-shot" href="{url(shot.url)}"><img src="{url(shot.thumb_url)}" alt="{e(shot.name)}"{size} '
            f'loading="lazy" decoding="async"></a><figcaption>{e(shot.name)}</figcaption></figure>'
        )
    return Markup(f'<div class="mj-gallery">{"".join(items)}</div>')


def _compare_links(kit: PageKit, model: Model) -> Markup:
    """One click to the compare page with the model's parent, its siblings, its children; the
    script adds a box to tick it for a comparison of any models."""
    index = kit.index
    parent = index.models.get(model.parent) if model.parent and model.parent_known else None
    siblings = [c for c in parent.children if c != model.id] if parent else []
    choices = []
    if parent:
        choices.append(f'<a href="{link(kit.links.compare, [parent.id, model.id])}">its parent</a>')
    if siblings:
        choices.append(f'<a href="{link(kit.links.compare, [model.id, *siblings])}">its {len(siblings)} '
                       f'sibling{"s" if len(siblings) != 1 else ""}</a>')
    if model.children:
        choices.append(f'<a href="{link(kit.links.compare, [model.id, *model.children])}">its {len(model.children)} '
                       f'child{"ren" if len(model.children) != 1 else ""}</a>')
    text = f' · Compare with {" · ".join(choices)}.' if choices else ""
    tick = f"<label>{kit.tick_box(model.id)}tick to compare</label>"
    return Markup(f'<p class="mj-compare-links" data-compare-url="{url(kit.links.compare)}">{tick}{text}</p>')
