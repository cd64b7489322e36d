"""The lineage as a map of what changed: every model under its parent, families side by side,
each with its status, its value of the first key metric and the change from its parent's,
and in one line what it changed: the parameters that differ from its parent's, then its
title or the first sentence of its hypothesis. A family's story, read without opening a model."""

from __future__ import annotations

import re
from collections.abc import Iterator

from markupsafe import Markup

from mljournal.index import Model
from mljournal.reading.runs import changed_params
from mljournal.rendering.html import e, number
from mljournal.rendering.pages.conclusions import KeyMetrics
from mljournal.rendering.pages.kit import Context, PageKit, SitePage, plain
from mljournal.rendering.routes import LINEAGE

ROUTES = (LINEAGE,)
MOST_CHANGES = 4  # parameter changes shown on a model's line; the rest are counted


def pages(ctx: Context) -> Iterator[SitePage]:
    yield ctx.page(LINEAGE, "Models", models_index_page(ctx.kit, ctx.key_metrics))


def models_index_page(kit: PageKit, table: KeyMetrics) -> Markup:
    models = kit.index.models
    metric = table.metrics[0] if table.metrics else None

    def branch(model_id: str) -> str:
        model = models[model_id]
        parent = models[model.parent] if model.parent and model.parent_known else None
        kids = "".join(branch(c) for c in model.children)
        return (f"<li>{kit.model_link(model_id)} {kit.status(model.status)}"
                f"{_value(model, parent, metric, table)}{_changed(model, parent)}"
                + (f"<ul>{kids}</ul>" if kids else "") + "</li>")

    roots = [m for m in models.values() if not (m.parent and m.parent_known)]
    shown = f" and its {e(metric)} (best), with the change from its parent's" if metric else ""
    return Markup(f'<h1>Models</h1><p class="mj-facts" data-search-exclude>Each model under its parent{shown}; then what it changed.</p>'
                  # copies of what the model pages and entries index; a few elements a model (the DOM stays small)
                  f'<div data-search-exclude><ul class="mj-forest">{"".join(branch(r.id) for r in roots)}</ul></div>')


def _value(model: Model, parent: Model | None, metric: str | None, table: KeyMetrics) -> str:
    """' 0.9778 ↑ +0.0028': the model's best value and its change from its parent's, in one
    element (a page of hundreds of models stays small), green when the change is for the
    better, red when for the worse."""
    found = table.bests.get(model.id, {}).get(metric) if metric else None
    if found is None:
        return ""
    css = ["mj-value"] + ([] if model.id in table.trusted else ["mj-untrusted"])  # a model marked buggy
    known = table.goals[metric] is not None
    at = f"at step {found[0]}" if found[0] is not None else "a final result"
    title, change = f"{'best' if known else 'last'} {e(metric)}, {at}", ""
    before = table.bests.get(parent.id, {}).get(metric) if parent else None
    if before is not None and before[1] == before[1] and found[1] == found[1]:
        delta = found[1] - before[1]
        if delta == 0:
            change = " = parent"
        elif not known:
            change = f" {'↑ +' if delta > 0 else '↓ −'}{number(abs(delta))}"
        else:
            better = (delta > 0) == (table.goals[metric] == "max")
            css.append(f"mj-delta--{'better' if better else 'worse'}")
            title += f"; {'better' if better else 'worse'} than {e(parent.id)}: {number(before[1])}"
            change = f" {'↑ +' if delta > 0 else '↓ −'}{number(abs(delta))}"
    return f' <span class="{" ".join(css)}" title="{title}">{number(found[1])}{change}</span>'


def _changed(model: Model, parent: Model | None) -> str:
    """What this model changed: its parameters that differ from its parent's, then its title
    or its hypothesis's first sentence."""
    changes = changed_params(model.run, parent.run if parent else None)
    shown = [f"{c.name}: {_shown(c.before)} → {_shown(c.after)}" for c in changes[:MOST_CHANGES]]
    if len(changes) > MOST_CHANGES:
        shown.append(f"+{len(changes) - MOST_CHANGES} more")
    hypothesis = model.latest("hypothesis")
    title = next((entry.title for entry in model.entries if entry.title), None)
    words = title or (_first_sentence(plain(hypothesis[1].text)) if hypothesis else "")
    code = f" <code>{e('; '.join(shown))}</code>" if shown else ""
    return code + (f" {e(words)}" if words else "")


def _shown(value: str | None) -> str:
    return "—" if value is None else value


def _first_sentence(text: str, most: int = 160) -> str:
    match = re.match(r"(.+?[.!?。！？])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= most else sentence[: most - 1].rstrip() + "…"
