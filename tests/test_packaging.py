"""The wheel carries what `pip install mljournal` users need, under one import name."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (found,) = folder.glob("mljournal-*.whl")
    return zipfile.ZipFile(found)


def test_the_wheel_ships_the_theme_templates_and_entry_points(wheel):
    names = set(wheel.namelist())
    for needed in ("mljournal/theme/main.html", "mljournal/theme/assets/stylesheets/mljournal.css",
                   "mljournal/templates/mkdocs.yml", "mljournal/templates/gitignore", "mljournal/py.typed",
                   "mljournal/__main__.py", "mljournal/theme/assets/javascripts/compare.js",
                   "mljournal/theme/assets/vendor/uplot/uPlot.iife.min.js", "mljournal/theme/assets/vendor/uplot/LICENSE"):
        assert needed in names, needed
    entry_points = wheel.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "journal = mljournal.cli:main" in entry_points
    assert "journal = mljournal.engines.mkdocs.plugin:JournalPlugin" in entry_points
    assert not [n for n in names if n.startswith(("journal/", "tests/", "examples/", "generator/"))]
    # every module of the package, so no subpackage is left out of pyproject's list
    modules = {p.relative_to(REPO / "generator").as_posix() for p in (REPO / "generator").rglob("*.py")}
    assert modules - names == set()


def test_the_wheel_installs_one_top_level_package(wheel):
    top_level = next(n for n in wheel.namelist() if n.endswith("top_level.txt"))
    assert wheel.read(top_level).decode().split() == ["mljournal"]
    assert {n.split("/")[0] for n in wheel.namelist() if not n.split("/")[0].endswith(".dist-info")} == {"mljournal"}


def test_a_project_with_its_own_generator_and_model_modules_imports_mljournal_and_builds(tmp_path):
    """Every GAN codebase has a generator.py: the journal must not import a module of that name."""
    from conftest import MINIMAL_CONFIG

    (tmp_path / "generator.py").write_text("raise ImportError('the project generator.py was imported')\n")
    (tmp_path / "model.py").write_text("raise ImportError('the project model.py was imported')\n")
    (tmp_path / "mkdocs.yml").write_text(MINIMAL_CONFIG)
    (tmp_path / "journal" / "entries").mkdir(parents=True)
    (tmp_path / "journal" / "entries" / "2026-10-01-g-1.md").write_text("---\ndate: 2026-10-01\nmodel: g-1\n---\nhi\n")
    record = ("import mljournal\nwith mljournal.start('g-1', record_git=False) as run:\n    run.log(step=1, loss=0.5)\n"
              "print(mljournal.__version__)\n")
    done = subprocess.run([sys.executable, "-c", record], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "loss" in (tmp_path / "site" / "models" / "g-1" / "index.html").read_text()
    main = subprocess.run([sys.executable, "-m", "mljournal", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert main.stdout.startswith("journal, version "), main.stderr
