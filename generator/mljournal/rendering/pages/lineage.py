"""The lineage: every model under its parent, families side by side."""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup

from mljournal.rendering.html import when
from mljournal.rendering.pages.kit import Context, PageKit, SitePage
from mljournal.rendering.routes import LINEAGE

ROUTES = (LINEAGE,)


def pages(ctx: Context) -> Iterator[SitePage]:
    yield ctx.page(LINEAGE, "Models", models_index_page(ctx.kit))


def models_index_page(kit: PageKit) -> Markup:
    """The lineage forest: every model under its parent, families side by side."""
    models = kit.index.models

    def branch(model_id: str) -> str:
        model = models[model_id]
        dates = f' <small>{when(model.first, False)}</small>' if model.first else ""
        kids = "".join(branch(c) for c in model.children)
        return (f"<li>{kit.model_link(model_id)} {kit.status(model.status)}{dates}"
                + (f"<ul>{kids}</ul>" if kids else "") + "</li>")

    roots = [m for m in models.values() if not (m.parent and m.parent_known)]
    return Markup(f'<h1>Models</h1><p class="mj-facts">Each model under its parent.</p><ul class="mj-forest">{"".join(branch(r.id) for r in roots)}</ul>')
