"""The wheel carries what `pip install mljournal` users need: the theme, templates, plugin."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO


def test_the_wheel_ships_the_theme_templates_and_entry_points(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("mljournal-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("generator/theme/main.html", "generator/theme/assets/stylesheets/mljournal.css",
                   "generator/templates/mkdocs.yml", "generator/templates/gitignore", "generator/site/plugin.py",
                   "generator/py.typed"):
        assert needed in names, needed
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "journal = generator.cli:main" in entry_points
    assert "journal = generator.site.plugin:JournalPlugin" in entry_points
    assert not [n for n in names if n.startswith(("journal/", "tests/", "examples/"))]
    # every module of the package, so no subpackage is left out of pyproject's list
    modules = {p.relative_to(REPO).as_posix() for folder in ("generator", "mljournal") for p in (REPO / folder).rglob("*.py")}
    assert modules - names == set()
