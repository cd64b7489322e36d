"""`mljournal.start(...)`: what a training script or notebook records, read back by the journal."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mljournal
from mljournal.reading.runs import read_run
from conftest import MINIMAL_CONFIG
from test_formats import FIXTURES

ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "generator")}


def script(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "journal").mkdir(exist_ok=True)
    (tmp_path / "train.py").write_text(textwrap.dedent(body))
    return subprocess.run([sys.executable, "train.py"], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=60)


def test_a_recorded_run_reads_back_with_gaps_params_screenshots_and_excerpts(tmp_path):
    done = script(tmp_path, """
        import mljournal
        from PIL import Image

        class Block:
            def forward(self, x):
                return x * 2

        with mljournal.start("tcn-7", params={"lr": 3e-4, "opt": {"name": "adam"}}, record_git=False) as run:
            for step in range(4):
                run.log(step=step, loss=1 / (step + 1), val_acc=float("nan") if step == 2 else step / 10)
            run.log({"eval/loss": float("inf")})
            run.screenshot(Image.new("RGB", (8, 6)), "curves")
            run.excerpt(Block)
    """)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "journal" / "runs" / "tcn-7"
    lines = (folder / "metrics.jsonl").read_text().splitlines()
    assert lines[2] == '{"step": 2, "loss": 0.3333333333333333, "val_acc": null}'
    assert lines[4] == '{"step": 4, "eval/loss": "Infinity"}'  # valid JSON, every line
    assert all(json.loads(line) for line in lines)
    run, diagnostics = read_run("tcn-7", folder, tmp_path)
    assert diagnostics == []
    assert list(run.metrics["val_acc"].steps) == [0, 1, 2, 3] and run.metrics["val_acc"].points() == 3
    assert run.metrics["eval/loss"].values[0] == math.inf
    assert run.meta.status == "done" and run.meta.command == "python train.py"
    assert run.meta.params == {"lr": "0.0003", "opt.name": "adam"}
    assert [shot.name for shot in run.screenshots] == ["screenshots/curves.png"]
    (part,) = run.parts
    assert part.excerpts == {"Block.py": "class Block:\n    def forward(self, x):\n        return x * 2\n"}
    assert part.excerpt_origins == {"Block.py": "train.py:5-7"}


def test_a_killed_process_leaves_a_readable_run_marked_running(tmp_path):
    done = script(tmp_path, """
        import os, signal, mljournal
        run = mljournal.start("a-1", record_git=False)
        for step in range(3):
            run.log(step=step, loss=1.0)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert done.returncode == -9
    run, diagnostics = read_run("a-1", tmp_path / "journal" / "runs" / "a-1", tmp_path)
    assert diagnostics == [] and run.metrics["loss"].points() == 3 and run.meta.status == "running"


def test_an_uncaught_exception_marks_the_run_failed(tmp_path):
    done = script(tmp_path, """
        import mljournal
        run = mljournal.start("a-1", record_git=False)
        run.log(step=0, loss=1.0)
        raise RuntimeError("CUDA out of memory")
    """)
    assert done.returncode == 1 and "CUDA out of memory" in done.stderr
    meta = json.loads((tmp_path / "journal" / "runs" / "a-1" / "run.json").read_text())
    assert meta["status"] == "failed" and meta["finished"]
    assert meta["error"] == {"type": "RuntimeError", "message": "CUDA out of memory",
                             "traceback": ['train.py:5 in <module>: raise RuntimeError("CUDA out of memory")']}


def test_a_failed_run_keeps_its_error_and_the_model_page_shows_it(project):
    from test_pages import build

    def train(depth):
        if depth > 2:
            raise ValueError(f"depth {depth} <is> too deep")

    with pytest.raises(ValueError):
        with mljournal.start("a-1", journal=project.root / "journal", record_git=False) as run:
            run.log(step=0, loss=1.0)
            assert repr(run) == f"<mljournal.Run 'a-1' in {str(project.runs / 'a-1')!r}, recording, last step 0>"
            train(3)
    assert repr(run) == f"<mljournal.Run 'a-1' in {str(project.runs / 'a-1')!r}, failed, last step 0>"
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nDeep.\n")
    build(project, strict=True)
    page = project.page("models/a-1")
    assert ('<details class="mj-run-error failure"><summary>Failed with <code>ValueError</code>: depth 3 &lt;is&gt; too deep'
            '</summary><pre class="mj-code"><code>') in page
    frames = page.split('<details class="mj-run-error failure">')[1].split("</code>")[1]
    assert frames.endswith('in train: raise ValueError(f&#34;depth {depth} &lt;is&gt; too deep&#34;)') or \
        frames.endswith("in train: raise ValueError(f&quot;depth {depth} &lt;is&gt; too deep&quot;)"), frames


def test_help_documents_every_parameter_of_start():
    import inspect

    documented = inspect.getdoc(mljournal.start)
    for name in inspect.signature(mljournal.start).parameters:
        assert f"\n{name} " in "\n" + documented, name


def repository(folder: Path):
    """`folder` as a git repository; the function that runs git in it."""
    def git(*args):
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "a@b.c")
    git("config", "user.name", "A")
    return git


def test_the_commit_and_uncommitted_diff_leave_the_journal_out(tmp_path):
    git = repository(tmp_path)
    (tmp_path / "model.py").write_text("width = 64\n")
    (tmp_path / "journal").mkdir()
    (tmp_path / "journal" / "notes.md").write_text("old\n")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    (tmp_path / "model.py").write_text("width = 128\n")
    (tmp_path / "journal" / "notes.md").write_text("new\n")
    done = script(tmp_path, """
        import mljournal
        mljournal.start("a-1").finish()
    """)
    assert done.returncode == 0, done.stderr
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    folder = tmp_path / "journal" / "runs" / "a-1"
    assert json.loads((folder / "run.json").read_text())["commit"] == f"{head}-dirty"
    diff = (folder / "git.diff").read_text()
    assert "+width = 128" in diff and "notes.md" not in diff


def test_new_source_files_not_yet_added_are_kept_beside_the_diff_and_the_commit_is_dirty(tmp_path):
    """With model.py untracked the commit was clean and no diff kept: new model code left no trace."""
    git = repository(tmp_path)
    (tmp_path / ".gitignore").write_text("*.log\n")
    (tmp_path / "journal").mkdir()
    git("add", ".")
    git("commit", "-q", "-m", "first")
    (tmp_path / "model.py").write_text("class Net:\n    width = 64")
    (tmp_path / "weights.bin").write_bytes(b"\0\1" * 100)
    (tmp_path / "big.csv").write_text("x\n" * 60_000)
    (tmp_path / "train.log").write_text("ignored\n")
    done = script(tmp_path, """
        import mljournal
        mljournal.start("a-1").finish()
    """)
    assert done.returncode == 0, done.stderr
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    folder = tmp_path / "journal" / "runs" / "a-1"
    assert json.loads((folder / "run.json").read_text())["commit"] == f"{head}-dirty"
    diff = (folder / "git.diff").read_text()
    assert diff.startswith("diff --git a/model.py b/model.py\nnew file (not yet added to git)\n--- /dev/null\n"
                           "+++ b/model.py\n@@ -0,0 +1,2 @@\n+class Net:\n+    width = 64\n\\ No newline at end of file\n")
    assert "+++ b/train.py" in diff  # the script itself is new too
    assert "train.log" not in diff and "journal/" not in diff and "weights.bin" not in diff
    assert diff.endswith("# 2 more new files not shown (binary, over 100 KiB, or past the first 20)\n")


def test_excerpt_of_lines_and_a_diff_against_the_parents_excerpt_on_the_model_page(project):
    from test_pages import build, content

    model = project.root / "model.py"
    for model_id, width in (("a-1", 64), ("a-2", 128)):
        model.write_text(f"import torch\n\nclass Net:\n    width = {width}\n    depth = 2\n")
        run = mljournal.start(model_id, journal=project.root / "journal", record_git=False)
        run.excerpt(path=model, lines=(3, 5), name="net.py")
        run.finish()
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nBase.\n")
    project.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02\nmodel: a-2\nparent: a-1\n---\nWider.\n")
    build(project, strict=True)
    page = project.page("models/a-2")
    assert '<span class="mj-del">-    width = 64</span>' in page and '<span class="mj-add">+    width = 128</span>' in page
    assert "Changed from a-1 :" in content(page)
    assert "Same as in" not in content(project.page("models/a-1"))
    # each line of the diff once (no blank line after a changed one), the excerpt coloured as code
    assert "\n\n" not in page[page.index('<pre class="mj-diff">'):].split("</pre>")[0]
    assert ('<div class="highlight"><pre class="mj-code"><code><span class="k">class</span><span class="w"> </span>'
            '<span class="nc">Net</span><span class="p">:</span>') in project.page("models/a-1")


def test_bad_input_is_refused_with_the_reason(tmp_path):
    run = mljournal.start("a-1", journal=tmp_path, record_git=False)
    with pytest.raises(mljournal.RecordingError, match="metric 'loss': 'low' is not a number"):
        run.log(step=1, loss="low")
    with pytest.raises(mljournal.RecordingError, match=r"step must be a whole number, not 1.5"):
        run.log(step=1.5, loss=1.0)
    with pytest.raises(mljournal.RecordingError, match=r"lines 3-9 are not in .*x.py \(1 lines\)"):
        (tmp_path / "x.py").write_text("a = 1\n")
        run.excerpt(path=tmp_path / "x.py", lines=(3, 9))
    with pytest.raises(Exception, match="unsafe|not a model ID|model ID"):
        mljournal.start("../etc", journal=tmp_path)
    run.finish()
    with pytest.raises(mljournal.RecordingError, match="run a-1 is finished"):
        run.log(step=2, loss=1.0)


def test_no_journal_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLJOURNAL_DIR", raising=False)
    with pytest.raises(mljournal.RecordingError, match="no journal/ folder in .* or above it"):
        mljournal.start("a-1")


def test_the_hf_callback_under_a_real_trainer_matches_the_trainers_own_log():
    """tests/fixtures/tools/mljournal-hf-callback: written by examples/tool_runs/run_recorder_hf.py."""
    folder = FIXTURES / "mljournal-hf-callback"
    run, diagnostics = read_run("tiny-bert-2", folder, folder.parent)
    assert diagnostics == []
    history = json.loads((folder / "reference-trainer_state.json").read_text())["log_history"]
    for name in ("loss", "grad_norm", "learning_rate", "eval_loss", "eval_accuracy"):
        expected = [(row["step"], row[name]) for row in history if name in row]
        assert list(zip(run.metrics[name].steps, run.metrics[name].values)) == expected, name
    assert not {"epoch", "train_runtime", "eval_runtime", "total_flos"} & set(run.metrics)
    assert run.meta.params["learning_rate"] == "0.005" and run.meta.status == "done"
    assert [shot.name for shot in run.screenshots] == ["screenshots/pattern.png"]


RENAMED_FOLDERS = MINIMAL_CONFIG.replace("  - journal\n", "  - journal:\n      entries: notes\n      runs: experiments\n")


def test_the_recorder_writes_where_the_build_reads_and_only_images_are_published(tmp_path, cli, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text(RENAMED_FOLDERS)
    (tmp_path / "journal" / "notes").mkdir(parents=True)
    (tmp_path / "journal" / "notes" / "2026-11-02-tcn-1.md").write_text(
        "---\ndate: 2026-11-02\nmodel: tcn-1\n---\n## Hypothesis\nRenamed folders work.\n")
    (tmp_path / "src").mkdir()
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import mljournal
        from PIL import Image
        with mljournal.start("tcn-1", params={"lr": 0.1}) as run:
            for step in range(5):
                run.log(step=step, loss=1.0 / (step + 1))
            run.screenshot(Image.new("RGB", (40, 30), "white"), "curves")
        print(run.folder)
    """)], cwd=tmp_path / "src", env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "journal" / "experiments" / "tcn-1"
    assert Path(done.stdout.strip()).resolve() == folder.resolve()
    assert sorted(p.name for p in folder.iterdir()) == ["metrics.jsonl", "run.json", "screenshots"]
    assert not (tmp_path / "journal" / "runs").exists()
    monkeypatch.chdir(tmp_path)
    result = cli("build", "--strict")
    assert result.exit_code == 0, result.output
    assert "from 1 entries about 1 models" in result.output
    page = (tmp_path / "site" / "models" / "tcn-1" / "index.html").read_text()
    assert "Renamed folders work." in page and "loss" in page
    published = [p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*") if p.is_file()]
    from_journal = [p for p in published if p.startswith(("experiments/", "notes/"))]
    assert from_journal == ["experiments/tcn-1/screenshots/curves.png"]
    assert not [p for p in published if p.endswith(("metrics.jsonl", "run.json", ".md"))]


def test_journal_given_by_path_or_environment_uses_that_journals_runs_setting(tmp_path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text(RENAMED_FOLDERS)
    (tmp_path / "journal").mkdir()
    monkeypatch.chdir("/")
    run = mljournal.start("tcn-2", journal=tmp_path / "journal", record_git=False)
    run.finish()
    assert run.folder == (tmp_path / "journal" / "experiments" / "tcn-2").resolve()
    monkeypatch.setenv("MLJOURNAL_DIR", str(tmp_path / "journal"))
    run = mljournal.start("tcn-3", record_git=False)
    run.finish()
    assert run.folder == (tmp_path / "journal" / "experiments" / "tcn-3").resolve()
