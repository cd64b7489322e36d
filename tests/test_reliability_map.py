"""RELIABILITY-MAP.md: every case of the reliability catalogue names tests, and they exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).parent


def test_every_case_names_tests_that_exist():
    cases = [line for line in (TESTS / "RELIABILITY-MAP.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("- ")]
    assert len(cases) >= 40
    defined = {}
    for path in TESTS.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined[path.name] = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = []
    for case in cases:
        named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", case.partition("→")[2])
        assert named, f"names no test: {case}"
        missing += [f"{file}::{name}" for file, name in named if name not in defined.get(file, set())]
    assert missing == []
