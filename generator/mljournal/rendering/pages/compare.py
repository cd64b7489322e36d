"""The compare page: any models side by side, chosen by the URL (`compare/?m=mlp-3,mlp-5`;
links to it are shared, so the contract is fixed). The page is one static shell: the script
(compare.js, drawing with uPlot) reads `?m=`, fetches the chosen models' data files
(compare_data.py) and lays them out. The shell holds only the data file of each model."""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup

from mljournal.rendering.compare_data import as_json
from mljournal.rendering.html import ROOT, e, url
from mljournal.rendering.pages.conclusions import models_by_recency
from mljournal.rendering.pages.kit import Context, SitePage
from mljournal.rendering.routes import COMPARE

ROUTES = (COMPARE,)
MOST = 12  # more models than this: the page asks to narrow the choice (and still shows them)
# What the page loads beside Material's own files: shipped in the wheel's theme folder.
STYLES = ("assets/vendor/uplot/uPlot.min.css",)
SCRIPTS = ("assets/vendor/uplot/uPlot.iife.min.js", "assets/javascripts/compare.js")
SHIPPED = (*STYLES, *SCRIPTS, "assets/vendor/uplot/LICENSE")  # published with the site: uPlot's MIT notice too


def pages(ctx: Context) -> Iterator[SitePage]:
    yield ctx.page(COMPARE, "Compare", lambda: compare_page(ctx))


def link(compare_url: str, models: list[str]) -> Markup:
    """The compare page's URL for `models` (the first is the reference), escaped."""
    return Markup(f'{url(compare_url)}?m={e(",".join(models))}')


def compare_page(ctx: Context) -> Markup:
    index = ctx.index
    recent = [m.id for m in models_by_recency(index) if m.run and m.run.metrics][:2]
    example = ""
    if len(recent) == 2:
        ids = ",".join(recent)
        example = f' or a link such as <a href="?m={e(ids)}"><code>compare/?m={e(ids)}</code></a>'
    shell = {"data": {model: ROOT + dest for model, dest in ctx.data_files().items()}, "most": MOST}
    data = Markup(as_json(shell, ctx.compare_site))
    styles = "".join(f'<link rel="stylesheet" href="{url(path)}">' for path in STYLES)
    scripts = "".join(f'<script src="{url(path)}"></script>' for path in SCRIPTS)
    return Markup(
        "<h1>Compare models</h1>"
        '<div class="mj-compare" id="mj-compare">'
        '<div class="mj-compare-help"><p>Choose the models to line up: tick <em>compare</em> on rows of the '
        f'<a href="{url(ctx.kit.links.home)}">conclusion table</a> or on model pages, then press <em>Compare</em> in '
        f"the bar that appears{example}. The first model is the reference: the others' parameters and code are "
        "compared with it.</p></div>"
        "<noscript><p>This page is drawn by JavaScript; without it, each model's numbers are on its own page.</p>"
        "</noscript></div>"
        f'<script type="application/json" id="mj-compare-index">{data}</script>{styles}{scripts}'
    )
