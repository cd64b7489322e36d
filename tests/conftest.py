"""Shared fixtures: scratch journals, the CLI runner, the built sample site."""

from __future__ import annotations

import shutil
import signal
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from mljournal.cli import main

REPO = Path(__file__).resolve().parent.parent

# The tests stop the servers they start with Ctrl-C (SIGINT), as a person at a terminal does. A
# test run started in the background (`nohup`, `&` in a script) has SIGINT ignored, and ignored
# signals stay ignored in child processes, where `journal serve` would then rightly not stop;
# a handled one is reset to the default in them.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
FIXTURES = Path(__file__).resolve().parent / "journals"

MINIMAL_CONFIG = """\
site_name: Test journal
site_url: https://journal.example.org/
docs_dir: journal
site_dir: site
theme:
  name: material
  font: false
plugins:
  - search
  - journal
markdown_extensions:
  - tables
  - pymdownx.superfences
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite tests/golden/ from the sample journal."
    )


class Project:
    """A scratch journal project: mkdocs.yml + journal/entries + journal/runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries = root / "journal" / "entries"
        self.runs = root / "journal" / "runs"

    def config(self, text: str = MINIMAL_CONFIG) -> Path:
        path = self.root / "mkdocs.yml"
        path.write_text(text, encoding="utf-8")
        return path

    def entry(self, name: str, text: str | bytes) -> Path:
        path = self.entries / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def run_file(self, model: str, name: str, content: str | bytes) -> Path:
        path = self.runs / model / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def page(self, url: str) -> str:
        return (self.root / "site" / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    made = Project(tmp_path)
    made.config()
    made.entries.mkdir(parents=True)
    made.runs.mkdir(parents=True)
    return made


@pytest.fixture
def fixture_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Copy tests/journals/<name>/ to a scratch folder and chdir there."""

    def copy(name: str) -> Project:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        if not (target / "mkdocs.yml").exists():
            (target / "mkdocs.yml").write_text(MINIMAL_CONFIG, encoding="utf-8")
        monkeypatch.chdir(target)
        return Project(target)

    return copy


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample journal of this repository, built once per test session."""
    from mljournal.commands.build import build_site

    target = tmp_path_factory.mktemp("sample")
    report = build_site(copy_sample(target), strict=True)
    assert report.warnings == 0
    return target / "site"


def copy_sample(target: Path) -> Path:
    """The sample journal and its mkdocs.yml in `target`; the mkdocs.yml returned."""
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(REPO / "journal", target / "journal")
    return target / "mkdocs.yml"


@pytest.fixture(scope="session")
def engine_sites(tmp_path_factory: pytest.TempPathFactory, sample_site: Path):
    """The sample journal built by each engine, by name, built once per test session when asked for:
    `journal build` (MkDocs), the real `properdocs build`, `journal build --engine zensical`."""
    import subprocess
    import sys

    from mljournal.commands.build import build_site

    built: dict[str, Path] = {"mkdocs": sample_site}

    def get(engine: str) -> Path:
        if engine not in built:
            target = tmp_path_factory.mktemp(engine)
            config = copy_sample(target)
            if engine == "properdocs":
                done = subprocess.run([str(Path(sys.executable).parent / "properdocs"), "build", "-f", "mkdocs.yml",
                                       "--strict"], cwd=target, capture_output=True, text=True, timeout=600)
                assert done.returncode == 0, done.stderr
            else:
                report = build_site(config, strict=True, engine=engine)
                assert report.warnings == 0
            built[engine] = target / "site"
        return built[engine]

    return get
