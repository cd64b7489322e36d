"""The compare page (`compare/?m=a,b,c`) and its data files: in a real browser on the built
sample journal, and the files themselves."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from conftest import REPO
from mljournal.rendering.html import number
from test_browser import base_url, browser, engine_site, page, serving  # noqa: F401 - fixtures

COMPARE_DATA = re.compile(r"/assets/compare/[^/]+\.json$")


def _drawn(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-mj-compare=drawn]", timeout=15_000)
    page.wait_for_load_state("networkidle")  # leaving while thumbnails load would abort them: not a fault


def _run_values(model: str, metric: str) -> dict[int, float]:
    rows = (json.loads(line) for line in (REPO / "journal" / "runs" / model / "metrics.jsonl").read_text().splitlines())
    return {row["step"]: row[metric] for row in rows if metric in row}


def _columns(page) -> list[str]:
    return page.locator(".mj-compare-head thead th.mj-compare-col").all_inner_texts()


# -- in the browser ------------------------------------------------------------------------------

@pytest.mark.browser
def test_the_url_chooses_the_models_in_order_and_only_their_data_is_fetched(page, base_url):  # noqa: F811
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if COMPARE_DATA.search(r.url) else None)
    _drawn(page, base_url + "compare/?m=mlp-8,mlp-2,mlp-4")
    assert [c.strip() for c in _columns(page)] == ["mlp-8", "mlp-2", "mlp-4"]
    assert page.locator(".mj-compare-ref").inner_text() == "reference"
    assert sorted(re.sub(r"-[0-9a-f]{12}\.json$", "", u.rsplit("/", 1)[1]) for u in fetched) == ["mlp-2", "mlp-4", "mlp-8"]
    # the conclusions side by side, the correction of mlp-4's hypothesis named as on its page
    texts = page.locator(".mj-compare-texts tbody tr").nth(0).locator("td")
    assert texts.count() == 3 and "early stopping" in texts.nth(0).inner_text().lower()
    assert page.locator(".mj-compare-texts .mj-corrected").count() == 1
    assert page.locator(".mj-compare-chart").count() == 4  # train_acc, train_loss, val_acc, val_loss
    assert page.problems == []


@pytest.mark.browser
def test_the_compare_page_draws_on_every_engine(page, engine_site):  # noqa: F811
    with serving(engine_site) as url:
        _drawn(page, url + "compare/?m=mlp-2,mlp-4")
        assert page.locator(".mj-compare-chart canvas").count() == 4
        assert page.locator(".mj-compare-texts a.mj-model").count() >= 2  # links inside the texts
        for link in page.locator(".mj-compare-head a.mj-model").all():
            assert page.request.get(link.evaluate("a => a.href")).ok
        assert page.problems == []


@pytest.mark.browser
def test_no_other_page_fetches_compare_data_or_the_chart_library(page, base_url):  # noqa: F811
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "/assets/compare/" in r.url or "uPlot" in r.url else None)
    for path in ("", "timeline/", "models/", "models/mlp-4/", "tags/"):
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    assert fetched == []


@pytest.mark.browser
def test_hovering_shows_every_models_value_at_that_step(page, base_url):  # noqa: F811
    _drawn(page, base_url + "compare/?m=mlp-2,mlp-4,mlp-8")
    chart = page.locator(".mj-compare-chart").filter(has=page.locator(".mj-chart-title", has_text="val_acc")).first
    over = chart.locator(".u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    step = int(chart.locator(".mj-readout-step").inner_text().removeprefix("step "))
    shown = {item.get_attribute("data-model"): item.locator("strong").inner_text()
             for item in chart.locator(".mj-readout-value").all()}
    assert 10 < step < 40
    assert shown == {m: number(_run_values(m, "val_acc")[step]) for m in ("mlp-2", "mlp-4", "mlp-8")}
    assert page.problems == []


@pytest.mark.browser
def test_the_page_writes_numbers_by_the_model_pages_rule_four_significant_digits(page, base_url):  # noqa: F811
    """A loss of 0.0018483 was 0.0018: two digits where a table is compared by eye."""
    _drawn(page, base_url + "compare/?m=mlp-2,mlp-4")
    values = [0.0018483, 0.5, 0.9612, 0.05, 12.345, 100.0, 0.001, 0.00099, 1234567.0, 0.0, -0.0123456, 0.99996,
              3.0e-7, "inf", "-inf"]
    shown = page.evaluate("values => values.map(window.mljournalCompare.fmt)", values)
    assert shown == [number(v) if isinstance(v, float) else v for v in values]
    assert shown[:4] == ["0.001848", "0.5000", "0.9612", "0.05000"]


@pytest.mark.browser
def test_only_differences_shows_the_one_parameter_mlp_2_and_mlp_4_differ_in(page, base_url):  # noqa: F811
    _drawn(page, base_url + "compare/?m=mlp-2,mlp-4")
    rows = page.locator(".mj-compare-params tbody tr")
    visible = [r.locator("th").inner_text() for r in rows.all() if r.is_visible()]
    assert visible == ["shift_aug"]
    assert rows.filter(has_text="shift_aug").locator("td.mj-differs").inner_text() == "true"
    page.get_by_label("only differences").uncheck()
    assert sum(r.is_visible() for r in rows.all()) == 9
    # and the code that changed: mlp-4's pipeline hands the training arrays back as validation
    diff = page.locator(".mj-compare-cell[aria-label='mlp-4: prepare.py'] pre.mj-diff")
    assert diff.locator(".mj-del", has_text='X_val, y_val = splits["val"]').count() == 1
    assert diff.locator(".mj-add", has_text="X_val, y_val = X_train, y_train").count() == 1
    assert "Same as in mlp-2." in page.locator(".mj-compare-cell[aria-label='mlp-4: train.py']").inner_text()
    assert page.problems == []


@pytest.mark.browser
def test_smoothing_and_log_scale_change_the_drawn_curves(page, base_url):  # noqa: F811
    _drawn(page, base_url + "compare/?m=mlp-2,mlp-4,mlp-8")
    canvas = page.locator(".mj-compare-chart canvas").last  # val_loss

    def picture() -> str:
        page.wait_for_timeout(100)
        return canvas.evaluate("c => c.toDataURL()")

    raw = picture()
    page.locator("input[name=smoothing]").fill("0.8")
    smoothed = picture()
    assert smoothed != raw
    page.get_by_label("log scale").check()
    logged = picture()
    assert logged not in (raw, smoothed)
    page.locator("input[name=smoothing]").fill("0")
    page.get_by_label("log scale").uncheck()
    assert picture() == raw
    assert page.problems == []


@pytest.mark.browser
def test_ticking_two_rows_of_the_conclusion_table_opens_the_compare_page_for_them(page, base_url):  # noqa: F811
    page.goto(base_url)
    page.get_by_label("compare mlp-8").check()
    page.get_by_label("compare hgb-5").check()
    go = page.locator(".mj-pickbar a")
    assert go.inner_text() == "Compare 2 models"
    with page.expect_navigation():
        go.click()
    page.wait_for_selector("html[data-mj-compare=drawn]")
    assert page.url == base_url + "compare/?m=mlp-8,hgb-5"
    assert [c.strip() for c in _columns(page)] == ["mlp-8", "hgb-5"]
    # the ticks are kept: the model page shows hgb-5 ticked, and its one-click links
    page.goto(base_url + "models/hgb-5/")
    assert page.get_by_label("compare hgb-5").is_checked()
    assert page.locator(".mj-compare-links a", has_text="its parent").get_attribute("href") == "../../compare/?m=hgb-4,hgb-5"
    assert page.problems == []


@pytest.mark.browser
def test_bad_choices_are_named_and_the_rest_shown(page, base_url):  # noqa: F811
    _drawn(page, base_url + "compare/?m=mlp-2,hgb-9")
    assert page.locator(".mj-compare-unknown").inner_text() == "No model hgb-9 in this journal."
    assert [c.strip() for c in _columns(page)] == ["mlp-2"]
    page.goto(base_url + "compare/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".mj-compare-help").is_visible()
    assert page.locator(".mj-compare-page").count() == 0
    page.goto(base_url + "compare/?m=")
    page.wait_for_load_state("networkidle")
    assert page.locator(".mj-compare-help").is_visible()
    many = ",".join([f"mlp-{n}" for n in range(1, 10)] + [f"hgb-{n}" for n in range(1, 5)])
    _drawn(page, base_url + "compare/?m=" + many)
    assert page.locator(".mj-compare-many").inner_text().startswith("13 models chosen: the page reads best with 12")
    assert len(_columns(page)) == 13
    assert page.problems == []


@pytest.mark.browser
def test_markup_in_names_is_text_on_the_compare_page(browser, project):  # noqa: F811
    from mljournal.commands.build import build_site

    project.config()
    project.entry("2026-10-01-x-1.md", "---\ndate: 2026-10-01\nmodel: x-1\ntags: ['<img src=x onerror=window.pwned=1>']\n"
                                       "---\n## Hypothesis\n\nIt <b>works</b>.\n")
    project.run_file("x-1", "run.json", json.dumps({"params": {"<script>window.pwned=2</script>": "</script>"}}))
    project.run_file("x-1", "metrics.jsonl", '{"step": 1, "a<b>": 1.5}\n{"step": 2, "a<b>": 2.5}\n')
    project.entry("2026-10-02-x-2.md", "---\ndate: 2026-10-02\nmodel: x-2\n---\nNo run here.\n")
    build_site(project.root / "mkdocs.yml")
    data = next((project.root / "site" / "assets" / "compare").glob("x-1-*.json")).read_text()
    assert "<" not in data and ">" not in data
    with serving(project.root / "site") as url:
        opened = browser.new_page()
        errors = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        _drawn(opened, url + "compare/?m=x-1,x-2")
        assert opened.evaluate("window.pwned") is None
        assert opened.locator(".mj-compare-head tbody tr").nth(4).locator("td").first.inner_text() == \
            "#<img src=x onerror=window.pwned=1>"
        assert opened.locator(".mj-compare-params tbody th").first.inner_text() == "<script>window.pwned=2</script>"
        assert opened.locator(".mj-chart-title").inner_text() == "a<b>"
        assert "x-2 has no run, so no metrics." in opened.locator("#curves ~ p").first.inner_text()
        assert errors == []
        opened.close()


# -- the data files -----------------------------------------------------------------------------

def _data(site: Path, model: str) -> dict:
    return json.loads(next((site / "assets" / "compare").glob(f"{model}-*.json")).read_text())


def test_a_data_file_holds_a_models_curves_as_an_envelope_and_is_named_by_its_content(project, cli):
    project.config()
    project.entry("2026-10-01-long-1.md", "---\ndate: 2026-10-01\nmodel: long-1\n---\n## Conclusion\n\nSpiky.\n")
    lines = [json.dumps({"step": s, "loss": 100.0 if s == 3333 else 1 / (s + 1)}) for s in range(5000)]
    project.run_file("long-1", "metrics.jsonl", "\n".join(lines) + "\n")
    assert cli("build").exit_code == 0
    site = project.root / "site"
    first = sorted(p.name for p in (site / "assets" / "compare").iterdir())
    data = _data(site, "long-1")
    loss = data["metrics"][0]
    assert (loss["name"], loss["key"], loss["goal"], loss["points"]) == ("loss", "train_loss", "min", 5000)
    steps = list(itertools.accumulate(loss["step_deltas"]))
    assert len(steps) == len(loss["values"]) <= 400
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 4999
    assert max(loss["values"]) == 100.0 and 3333 in steps  # the spike survives the envelope
    assert loss["last"] == [4999, 1 / 5000] and loss["best"] == [4999, 1 / 5000]
    assert data["text"]["conclusion"]["html"] == "<p>Spiky.</p>"
    assert data["url"] == "../models/long-1/"
    assert cli("build", "--force").exit_code == 0
    assert sorted(p.name for p in (site / "assets" / "compare").iterdir()) == first  # same content, same name
    project.run_file("long-1", "metrics.jsonl", "\n".join(lines[:10]) + "\n")
    assert cli("build", "--force").exit_code == 0
    assert sorted(p.name for p in (site / "assets" / "compare").iterdir()) != first


def test_the_model_page_marks_the_parameters_that_differ_from_the_parent_and_links_its_curves(sample_site):
    html = (sample_site / "models" / "mlp-4" / "index.html").read_text()
    assert re.search(r'<tr class="mj-changed"><th class="mj-param">shift_aug</th><td><code>true</code> '
                     r"<small>was <code>false</code> in mlp-2</small></td></tr>", html)
    assert html.count('class="mj-changed"') == 1
    assert '<a class="mj-plot-wide" href="../../compare/?m=mlp-2,mlp-4">' in html
    assert 'Compare with <a href="../../compare/?m=mlp-2,mlp-4">its parent</a>' in html

