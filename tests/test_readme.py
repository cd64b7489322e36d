"""The README cannot drift: its commands are what CI runs, and every CLI option is in it."""

from __future__ import annotations

import re

import click

from conftest import REPO
from mljournal.cli import main

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README.split("## Two commands")[1].split("## ")[0])


def test_the_first_two_commands_set_up_build_serve_and_test():
    run, test = readme_commands()
    assert run.startswith("python3 -m venv .venv && .venv/bin/pip install -e . && ")
    assert run.endswith(".venv/bin/journal build && .venv/bin/journal serve")
    assert test.startswith("python3 -m venv .venv && ") and test.endswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    _, test = readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_every_command_and_option_is_documented():
    for name, command in main.commands.items():
        assert f"`journal {name}" in README, name
        for param in command.params:
            if isinstance(param, click.Option):
                for flag in param.opts:
                    assert flag in README, f"journal {name} {flag}"
