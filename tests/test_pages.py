"""The built pages of small journals: what a reader sees, and what is never published."""

from __future__ import annotations

import re
import subprocess
import sys
from io import BytesIO

from PIL import Image

from mljournal.commands.build import build_site


def build(project, strict=False):
    return build_site(project.root / "mkdocs.yml", strict=strict)


def content(html: str) -> str:
    """Our part of a page, with tags stripped and white space folded."""
    start = html.index('<div class="mj-page"')
    end = html.index("<!--/mj-page-->")
    text = re.sub(r"<[^>]+>", " ", html[start:end])
    return re.sub(r"\s+", " ", text).strip()


def png(width, height) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_model_page_lineage_metrics_entries_and_mentions(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\nstatus: done\n---\n## Conclusion\nFine.\n")
    project.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02 10:00\nmodel: a-2\nparent: a-1\ntags: [wide]\n---\n"
                  "## Hypothesis\nWider than a-1.\n")
    project.entry("2026-10-03-b-1.md", "---\ndate: 2026-10-03\nmodel: b-1\n---\nCompared with a-2: worse.\n")
    project.run_file("a-2", "metrics.csv", "step,val_acc,train_loss\n1,0.5,1.0\n2,0.75,0.5\n3,0.7,0.25\n")
    build(project, strict=True)
    page = project.page("models/a-2")
    assert content(page) == (
        "a-2 2026-10-02 – 2026-10-02 · 1 entries, 1 mentions · #wide Lineage a-1 → a-2 Children: none yet "
        "tick to compare · Compare with its parent . Hypothesis 2026-10-02 Wider than a-1 . Metrics Metric Last at step Best at step Points "
        "train_loss 0.2500 3 0.2500 3 3 val_acc 0.7000 3 0.7500 2 3 Plots: Run Read from mljournal: metrics.csv "
        "Entries 2026-10-02 10:00 +00 #wide Hypothesis Wider than a-1 . "
        "Mentioned in 1 entries 2026-10-03 b-1 Compared with a-2: worse."
    )
    assert '<a class="mj-model" href="../../models/a-1/">a-1</a>' in page
    # The plot opens full size when clicked or tapped; a phone shows its one-column twin instead.
    assert re.search(r'<figure class="mj-plot mj-plot--two"><a class="mj-plot-wide" href="(../../assets/plots/([0-9a-f]{24})\.svg)">'
                     r'<img src="\1" alt="train_loss, val_acc of a-2" width="960" height="250" loading="lazy" decoding="async"></a>'
                     r'<a class="mj-plot-narrow" href="(../../assets/plots/\2-narrow\.svg)"><img src="\3" '
                     r'alt="train_loss, val_acc of a-2" width="360" height="500" loading="lazy" decoding="async"></a></figure>',
                     page)
    home = project.page("")
    assert content(home).startswith("Conclusions 3 models, 3 entries.")
    assert "<strong>0.7500</strong>" in home


def test_corrections_show_on_the_corrected_entry_and_in_the_table(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\n## Conclusion\nDepth hurts.\n")
    project.entry("2026-10-05-a-1.md", "---\ndate: 2026-10-05\nmodel: a-1\ncorrects: 2026-10-01-a-1\n---\n"
                  "The split leaked; depth does not hurt.\n")
    build(project, strict=True)
    month = project.page("timeline/2026-10")
    assert ('<p class="mj-corrected">Corrected by <a href="../../timeline/2026-10/#2026-10-05-a-1">2026-10-05-a-1</a> '
            "on 2026-10-05: read it before trusting this entry.</p>") in month
    assert '<p class="mj-corrects">Corrects <a href="../../timeline/2026-10/#2026-10-01-a-1">2026-10-01-a-1</a> of 2026-10-01.</p>' in month
    assert "Depth hurts. Corrected by 2026-10-05-a-1 ." in content(project.page(""))
    # The corrected entry's own text stays as written.
    assert "Depth hurts." in content(project.page("models/a-1"))


def test_strings_from_files_are_escaped_everywhere(project):
    project.entry("2026-10-01-x.md", '---\ndate: 2026-10-01\nmodel: a-1\ntags: ["<script>alert(1)</script>", "a\\"b"]\n'
                  'status: "<b>done</b>"\ntitle: "<img src=x onerror=alert(1)>"\n---\nbody\n')
    project.run_file("a-1", "metrics.csv", 'step,"<svg onload=alert(1)>"\n1,0.5\n')
    project.run_file("a-1", "run.json", '{"command": "python x.py </code><script>alert(2)</script>", "params": {"<i>k</i>": "\\"v\\""}}')
    report = build(project)
    assert report.warnings == 1  # the status is none of the known ones: shown as written, escaped
    for page in (project.page(""), project.page("models/a-1"), project.page("timeline/2026-10")):
        assert "<script>alert" not in page and "<svg onload" not in page and "<img src=x" not in page and "<b>done" not in page
    model = project.page("models/a-1")
    assert "&lt;svg onload=alert(1)&gt;" in model and "&lt;/code&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in model
    assert "&lt;i&gt;k&lt;/i&gt;" in model


def test_screenshots_thumbnails_and_nothing_heavy_published(project):
    project.run_file("a-1", "curves/loss curve #1.png", png(1200, 600))
    project.run_file("a-1", "small.png", png(100, 50))
    project.run_file("a-1", "truncated.png", png(1200, 600)[:200])
    project.run_file("a-1", "model.safetensors", b"\0" * 1000)
    project.run_file("a-1", "checkpoint-5/optimizer.pt", b"\0" * 1000)
    project.run_file("a-1", "notes.md", "# a model card a tool wrote\n")
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\n"
                  "![curve](../runs/a-1/curves/loss%20curve%20%231.png)\n\n[card](../runs/a-1/notes.md) [gone](../runs/a-1/gone.png)\n")
    report = build(project)
    site = project.root / "site"
    published = sorted(p.relative_to(site / "runs").as_posix() for p in (site / "runs").rglob("*") if p.is_file())
    assert published == ["a-1/curves/loss curve #1.png", "a-1/small.png"]
    assert len(list((site / "assets" / "thumbs").glob("*.webp"))) == 1
    page = project.page("models/a-1")
    assert re.search(r'<a class="mj-shot" href="../../runs/a-1/curves/loss%20curve%20%231.png"><img src="../../assets/thumbs/'
                     r'[0-9a-f]{24}\.webp" alt="curves/loss curve #1.png" width="480" height="240" loading="lazy"', page)
    month = project.page("timeline/2026-10")
    assert re.search(r'<a class="mj-shot" href="../../runs/a-1/curves/loss%20curve%20%231.png"><img alt="curve" decoding="async" '
                     r'height="240" loading="lazy" src="../../assets/thumbs/[0-9a-f]{24}\.webp" width="480"', month)
    assert report.warnings == 4  # and: "a-1: no metrics read: none of its files is one mljournal reads (…)"
    assert "No metrics read: none of its files is one mljournal reads (checkpoint-5/optimizer.pt, model.safetensors)" \
        in project.page("models/a-1")


def test_link_warnings_name_the_entry_and_line(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nline one\n\n[x](../runs/a-1/metrics.csv)\n"
                  "[y](nowhere.md) [z](../../../etc/passwd) [ok](../runs/a-1/) [mail](mailto:a@b) [top](#x)\n")
    project.run_file("a-1", "metrics.csv", "step,loss\n1,1\n")
    result = cli("build")
    assert result.output.splitlines()[:3] == [
        "warning: journal/entries/2026-10-01-a-1.md:7: link '../runs/a-1/metrics.csv' points into a run folder, and only "
        "screenshots are published from run folders",
        "warning: journal/entries/2026-10-01-a-1.md:8: link 'nowhere.md' points to a missing file",
        "warning: journal/entries/2026-10-01-a-1.md:8: link '../../../etc/passwd' leads outside the journal folder",
    ]
    month = project.page("timeline/2026-10")
    assert '<a href="../../models/a-1/">ok</a>' in month and '<a href="mailto:a@b">mail</a>' in month


def test_timeline_is_newest_first_and_paged(project):
    project.config((project.root / "mkdocs.yml").read_text().replace("  - journal\n", "  - journal:\n      timeline_page_size: 2\n"))
    for day in range(1, 6):
        project.entry(f"2026-10-0{day}-a-1.md", f"---\ndate: 2026-10-0{day}\nmodel: a-1\n---\nday {day}\n")
    project.entry("2026-09-30-a-1.md", "---\ndate: 2026-09-30\nmodel: a-1\n---\nseptember\n")
    build(project, strict=True)
    assert re.findall(r"day \d|september", content(project.page("timeline/2026-10"))) == ["day 5", "day 4"]
    assert re.findall(r"day \d", content(project.page("timeline/2026-10/2"))) == ["day 3", "day 2"]
    assert re.findall(r"day \d", content(project.page("timeline/2026-10/3"))) == ["day 1"]
    # Every page at the top, a line a year; the newer and older pages at the end.
    assert content(project.page("timeline")) == (
        "Timeline 2026 Oct 2 3 Sep Entries, newest first 2026-10-05 a-1 day 5 2026-10-04 a-1 day 4 2026-10 (2) →")
    second = project.page("timeline/2026-10/2")
    assert content(second).endswith("day 2 ← 2026-10 2026-10 (3) →")
    assert ('<a class="mj-current" aria-current="page" href="../../../timeline/2026-10/2/" title="2026-10 (2)">2</a>'
            in second)
    assert content(project.page("timeline/2026-09")).endswith("september ← 2026-10 (3)")


def test_plain_mkdocs_build_gives_the_same_pages(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\ntags: [x]\n---\nhello\n")
    build(project, strict=True)
    ours = {p: project.page(p) for p in ("", "models/a-1", "timeline/2026-10", "tags/x")}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", "site2"], cwd=project.root, check=True)
    for url, html in ours.items():
        theirs = (project.root / "site2" / url / "index.html").read_text()
        assert content(theirs) == content(html)


def test_home_table_prefers_a_model_own_conclusion_and_never_crowns_a_buggy_model(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\n## Conclusion\nOwn words.\n\nSecond paragraph.\n")
    project.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02\nmodel: a-2\nstatus: buggy\n---\nEvaluated on train.\n")
    project.entry("2026-10-09-wrap.md", "---\ndate: 2026-10-09\nmodel: [a-1, a-2]\n---\n## Conclusion\nWrap-up of all.\n")
    project.run_file("a-1", "metrics.csv", "step,val_acc\n1,0.9\n")
    project.run_file("a-2", "metrics.csv", "step,val_acc\n1,0.99\n")
    build(project, strict=True)
    home = project.page("")
    rows = re.findall(r"<tr data-id=.*?</tr>", home.split("<tbody>")[1], re.S)
    a1 = next(r for r in rows if ">a-1<" in r)
    a2 = next(r for r in rows if ">a-2<" in r)
    # The wrap-up came later, from an entry about both models: it is not called earlier.
    assert content(f'<div class="mj-page">{a1}<!--/mj-page-->') == (
        "a-1 2026-10-01 – 10-09 Own words. Second paragraph. "
        "1 later conclusion, from entries about several models 2026-10-09 Wrap-up of all. ⋯ 0.9000")
    assert '<td class="mj-num" data-label="val_acc" data-v="0.9" title="step 1"><strong>0.9000</strong></td>' in a1
    assert "Wrap-up of all." in a2  # its only conclusion
    assert ('<td class="mj-num mj-untrusted" data-label="val_acc" data-v="0.99" title="step 1, from a model marked buggy">'
            '0.9900</td>') in a2


def test_raw_html_in_entries_is_trusted_by_default_and_text_when_turned_off(project):
    body = '<div class="note">kept</div>\n\nInline <b>bold</b> and <script>alert(1)</script>.\n'
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\n" + body)
    build(project, strict=True)
    trusted = project.page("timeline/2026-10")
    assert '<div class="note">kept</div>' in trusted and "<b>bold</b>" in trusted
    project.config((project.root / "mkdocs.yml").read_text().replace("  - journal\n", "  - journal:\n      raw_html: false\n"))
    build(project, strict=True)
    text = project.page("timeline/2026-10")
    assert "&lt;div class=&quot;note&quot;&gt;kept&lt;/div&gt;" in text or "&lt;div class=\"note\"&gt;kept&lt;/div&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text and "<script>alert(1)" not in text


def test_search_indexes_each_entry_once_at_its_home(project):
    import json

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\ntags: [x]\n---\n## Notes\nzebracorn appears once\n"
                  "## Hypothesis\nquokkafish too\n")
    project.entry("2026-10-02-b-1.md", "---\ndate: 2026-10-02\nmodel: b-1\n---\nmentions a-1\n")
    project.run_file("a-1", "metrics.csv", "step,gigaloss\n1,0.5\n")
    project.run_file("a-1", "run.json", '{"command": "python train.py --wombat"}')
    build(project, strict=True)
    docs = json.loads((project.root / "site" / "search" / "search_index.json").read_text())["docs"]

    def found(word: str) -> list[str]:
        return [d["location"] for d in docs if word in d["text"] or word in d["title"]]

    assert found("zebracorn") == ["timeline/2026-10/#2026-10-01-a-1--notes"]
    # Not the copy on the model page's summary card, nor its metric table; its command is.
    assert found("quokkafish") == ["timeline/2026-10/#2026-10-01-a-1--hypothesis"]
    assert found("gigaloss") == [] and found("wombat") == ["models/a-1/#run"]
    assert not [d for d in docs if d["location"].startswith("timeline/#") or d["location"] == "timeline/"]
    # words and dates of the page's parts stay apart in the text results show ("x2026-10-01")
    assert [d["text"] for d in docs if re.search(r"[A-Za-z]\d{4}-\d\d-\d\d", d["text"])] == []


def test_long_lists_are_paged_conclusions_by_recency_and_tags_one_line_an_entry(project, monkeypatch):
    from mljournal.rendering.pages import tags

    monkeypatch.setattr(tags, "PAGE_SIZE", 2)
    project.config(project.config().read_text().replace("  - journal\n", "  - journal:\n      conclusions_page_size: 2\n"))
    for day in range(1, 6):
        project.entry(f"2026-10-0{day}-a-{day}.md", f"---\ndate: 2026-10-0{day}\nmodel: a-{day}\ntags: [wide]\n---\n"
                      f"## Conclusion\nRun {day} is done; see a-1.\n")
        project.run_file(f"a-{day}", "metrics.csv", f"step,val_acc\n1,0.{day}\n")
    build(project, strict=True)
    home, second, third = (content(project.page(p)) for p in ("", "conclusions/2", "conclusions/3"))
    assert home.startswith("Conclusions 5 models, 5 entries.") and "a-5" in home and "a-4" in home and "a-3" not in home
    assert second.startswith("Conclusions (3–4) ") and third.startswith("Conclusions (5–5) ")
    assert '<a class="mj-current" aria-current="page" href="../../conclusions/2/">3–4</a>' in project.page("conclusions/2")
    assert "<strong>0.5000</strong>" in project.page("") and "<strong>" not in project.page("conclusions/3").split("<tbody>")[1]
    tag1, tag3 = content(project.page("tags/wide")), content(project.page("tags/wide/3"))
    assert tag1 == ("#wide 5 entries, newest first. 1 2 3 2026-10-05 a-5 Run 5 is done; see a-1. "
                    "2026-10-04 a-4 Run 4 is done; see a-1. 1 2 3")
    assert "2026-10-01 a-1" in tag3 and "2026-10-02" not in tag3


def test_images_a_pixel_or_two_high_are_folded_apart_from_the_screenshots(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nText.\n")
    project.run_file("a-1", "metrics.csv", "step,loss\n1,0.5\n2,0.4\n")
    project.run_file("a-1", "confusion.png", png(300, 200))
    project.run_file("a-1", "tensorboard/dense_kernel/step-1.png", png(128, 1))
    project.run_file("a-1", "tensorboard/dense_bias/step-1.png", png(64, 1))
    build(project, strict=True)
    page = project.page("models/a-1")
    gallery = page[page.index('<h2 id="screenshots"'):page.index('<h2 id="run"')]
    assert gallery.count("<figure>") == 3
    folded = gallery[gallery.index('<details class="mj-strips">'):]
    assert folded.startswith('<details class="mj-strips"><summary>2 images a few pixels high (weights or activations '
                             'a tool logged as pictures)</summary>')
    assert "confusion.png" not in folded and "dense_kernel" in folded


def test_a_run_folder_of_thousands_of_images_shows_sixty_and_counts_the_rest(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nText.\n")
    image = png(8, 8)
    for n in range(75):
        project.run_file("a-1", f"shots/{n:03}.png", image)
    build(project, strict=True)
    page = project.page("models/a-1")
    assert page.count('class="mj-shot"') == 60
    assert "… and 15 more images in the run folder, not shown here." in page
    data = next((project.root / "site" / "assets" / "compare").glob("a-1-*.json")).read_text()
    assert data.count('"thumb":') == 60  # the compare page's copy is bounded too


def test_a_run_logging_thousands_of_curves_and_parameters_keeps_its_page_small(project, cli):
    """A run that logs a curve per layer (2,000 metrics) and a config of 700 keys made a page of
    half a megabyte and a plot of 2,000 panels; an entry naming 150 models in its text was a
    card on 150 pages. Each is bounded, and says what it left out."""
    import json

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nText.\n")
    for n in range(150):
        project.run_file(f"m-{n}", "metrics.csv", "step,x\n1,1\n")
    project.entry("2026-10-02-all.md", "---\ndate: 2026-10-02\nmodel: a-1\n---\nAgainst "
                  + " ".join(f"m-{n}" for n in range(150)) + ".\n")
    rows = [json.dumps({"step": step, "val_loss": 1 / step, **{f"grad/layer{n:04}": step + n for n in range(2000)}})
            for step in range(1, 4)]
    project.run_file("a-1", "metrics.jsonl", "\n".join(rows) + "\n")
    project.run_file("a-1", "run.json", json.dumps({"params": {f"layer{n:03}.width": n for n in range(700)}}))
    result = cli("build")
    assert result.exit_code == 0
    assert [line for line in result.output.splitlines() if line.startswith("warning")] == [
        "warning: journal/entries/2026-10-02-all.md: mentions 150 models; it is shown on the pages of the first 100 "
        "only (its text links them all)"]
    page = project.page("models/a-1")
    assert len(page.encode()) < 150_000
    assert "Plots (24 of 2001 curves; the compare page has them all):" in page
    assert page[page.index('<table class="mj-metrics"'):].split("</table>")[0].count("<tr>") == 1 + 200
    assert "… and 1801 more metrics, not shown here:" in page
    assert page.count('<th class="mj-param">layer') == 500 and "… 200 more parameters" in page
    assert "Mentioned in" in project.page("models/m-99") and "Mentioned in" not in project.page("models/m-100")
    assert 'href="../../models/m-149/"' in project.page("models/a-1")  # linked in its text all the same


def test_an_id_inside_a_web_address_written_out_in_text_is_not_made_a_link(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nstart\n")
    project.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02\nmodel: a-2\n---\n"
                  "Curves at https://wandb.ai/me/proj/runs/a-1/logs, better than a-1.\n")
    build(project)
    page = project.page("models/a-2")
    assert ('Curves at https://wandb.ai/me/proj/runs/a-1/logs, better than '
            '<a class="mj-model" href="../../models/a-1/">a-1</a>.') in page


def test_a_checkpoint_table_of_thousands_of_rows_shows_both_ends_and_the_best(project):
    import json

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nText.\n")
    history = [{"step": step, "epoch": step / 10, "eval_loss": 1 / step if step != 777 else 0.0001}
               for step in range(1, 3001)]
    project.run_file("a-1", "trainer_state.json", json.dumps({"log_history": history, "best_global_step": 777,
                                                              "global_step": 3000}))
    build(project, strict=True)
    page = project.page("models/a-1")
    table = page[page.index('<table class="mj-checkpoints"'):].split("</table>")[0]
    steps = [int(step) for step in re.findall(r"<tr(?: class=\"mj-best\")?><td class=\"mj-num\">(\d+)</td>", table)]
    assert steps == [*range(1, 51), 777, *range(2951, 3001)]
    assert '<tr class="mj-best"><td class="mj-num">777</td>' in table
    assert re.findall(r"… (\d+) more rows", table) == ["726", "2173"]


def test_screenshots_that_are_bombs_enormous_or_not_images_are_skipped_and_odd_names_kept(project):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    side = 30_000  # a 1-bit PNG of 900 million pixels in 110 KB
    rows = zlib.compress(b"".join(b"\0" * (1 + side // 8) for _ in range(side)), 9)
    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nText.\n")
    project.run_file("a-1", "metrics.csv", "step,loss\n1,1\n2,0.5\n")
    project.run_file("a-1", "bomb.png", bomb)
    project.run_file("a-1", "text.png", "not an image at all\n")
    with open(project.runs / "a-1" / "huge.png", "wb") as huge:
        huge.truncate(60 * 1024 * 1024)
    jpeg = BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(jpeg, "JPEG")
    project.run_file("a-1", "really a jpeg.png", jpeg.getvalue())
    project.run_file("a-1", "ünï ?%#.png", png(20, 20))
    result = subprocess.run([sys.executable, "-m", "mljournal", "build"], cwd=project.root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "warning: journal/runs/a-1/bomb.png: skipped: it is 30000×30000 pixels, over the limit of 40,000,000 "
        "(a decompression bomb?)",
        "warning: journal/runs/a-1/huge.png: skipped: image is 60 MiB, over the 50 MiB limit",
        "warning: journal/runs/a-1/text.png: skipped: it is not a readable image",
    ]
    assert sorted(p.name for p in (project.root / "site" / "runs" / "a-1").iterdir()) == ["really a jpeg.png", "ünï ?%#.png"]
    assert 'href="../../runs/a-1/%C3%BCn%C3%AF%20%3F%25%23.png"' in project.page("models/a-1")
