"""The shape of the package: the journal's core works without MkDocs, the CLI starts fast."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import textwrap

from conftest import REPO


def test_reading_indexing_and_rendering_never_import_mkdocs(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from mljournal.index import load_journal
        from mljournal.rendering.render import RenderOptions, render_site
        from mljournal.settings import Settings
        settings = Settings(journal_dir=Path({str(REPO / "journal")!r}), cache_dir=Path({str(tmp_path)!r}))
        index = load_journal(settings, Path({str(REPO)!r}))
        site = render_site(index, RenderOptions(project_dir=Path({str(REPO)!r}), markdown_extensions=("tables",)))
        assert len(index.models) >= 12 and len(site.pages) > 20
        assert not [m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material")], "core imported MkDocs"
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)


def test_every_core_module_imports_without_a_site_engine():
    """Reading, indexing, planning and rendering pages, plotting, the commands and the recorder:
    only the engines' own modules may import MkDocs, Material, ProperDocs or Zensical."""
    script = textwrap.dedent("""
        import importlib, pkgutil, sys
        import mljournal
        names = [m.name for m in pkgutil.walk_packages(mljournal.__path__, "mljournal.")
                 if not m.name.startswith("mljournal.engines.") and m.name != "mljournal.theme"]
        for name in names:
            importlib.import_module(name)
        engines = sorted({m.split(".")[0] for m in sys.modules} & {"mkdocs", "material", "properdocs", "zensical"})
        print(len(names), engines)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert int(out[0]) >= 40 and out[1].strip() == "[]"


def test_help_does_not_import_the_heavy_libraries():
    script = ("import sys; from click.testing import CliRunner; from mljournal.cli import main; "
              "CliRunner().invoke(main, ['build', '--help']); "
              "print(sorted(m for m in ('mkdocs', 'matplotlib', 'PIL', 'markdown') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_recorder_a_training_script_imports_is_light():
    """`import mljournal` in a training script or notebook pulls in none of the site's libraries."""
    script = ("import sys, mljournal; "
              "print(sorted(m for m in ('mkdocs', 'material', 'matplotlib', 'PIL', 'markdown', 'yaml', 'click') "
              "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_entry_opens_the_editor_when_there_is_a_terminal(project, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "written in the editor" >> "$1"\n')
    editor.chmod(0o755)
    env = dict(os.environ, VISUAL=str(editor), EDITOR="false")
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin and stdout are a terminal
        os.chdir(project.root)
        os.execve(sys.executable, [sys.executable, "-m", "mljournal", "entry", "tcn-1"], env)
    output = b""
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    path = project.root / output.decode().strip().splitlines()[0]
    assert path.read_text().endswith("written in the editor\n")
