"""The page table: every page the journal makes is of a kind in routes.py, at its route's place."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO


def _pattern(source: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", lambda m: r"\d+" if m.group(1) == "number" else r"[^/]+",
                             re.escape(source)) + "$")


def test_every_page_is_of_a_kind_in_the_table_at_its_routes_place(tmp_path):
    from mljournal.index import load_journal
    from mljournal.project import load_project
    from mljournal.rendering import routes
    from mljournal.rendering.render import RenderOptions, render_site

    project = load_project(REPO / "mkdocs.yml")
    settings = project.settings.__class__(**{**project.settings.__dict__, "cache_dir": tmp_path,
                                             "timeline_page_size": 5, "conclusions_page_size": 7})
    site = render_site(load_journal(settings, REPO), RenderOptions(Path(REPO), markdown_extensions=("tables",)))
    by_kind = {route.kind: route for route in routes.ROUTES}
    seen = set()
    for page in site.pages:
        route = by_kind[page.kind]
        patterns = [_pattern(route.first)] + ([_pattern(route.more)] if route.more else [])
        assert any(p.match(page.src_uri) for p in patterns), (page.kind, page.src_uri)
        assert page.hide == route.hide
        seen.add(page.kind)
    assert seen == set(by_kind)  # the sample has pages of every kind, numbered pages too
    assert {"conclusions/2.md", "timeline/2026-10/2.md"} <= {p.src_uri for p in site.pages}
    searchable = {p.src_uri for p in site.pages if p.searchable}
    assert "index.md" in searchable and "conclusions/2.md" not in searchable and "timeline/index.md" not in searchable
    assert "timeline/2026-10/2.md" in searchable and "models/mlp-3.md" in searchable


def test_each_route_belongs_to_one_page_kind_module():
    from mljournal.rendering import routes
    from mljournal.rendering.pages import KINDS

    owned = [route for kind in KINDS for route in kind.ROUTES]
    assert sorted(r.kind for r in owned) == sorted(r.kind for r in routes.ROUTES)
    assert routes.NAV == [{"Conclusions": "index.md"}, {"Timeline": "timeline/index.md"},
                          {"Models": "models/index.md"}, {"Tags": "tags/index.md"},
                          {"Compare": "compare/index.md"}]


def test_page_sources_are_written_only_in_the_route_table():
    """No other module of the site's stages spells a page's place in its code: a kind's URLs
    change in one file. (Run formats have folders of their own names, such as MLflow's tags/.)"""
    import ast

    package = REPO / "generator" / "mljournal"
    place = re.compile(r"^(index\.md|timeline/|models/|tags/|conclusions/)")
    found = []
    for path in package.rglob("*.py"):
        if path.name == "routes.py" or path.relative_to(package).parts[0] == "reading":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if place.match(node.value):
                    found.append(f"{path.relative_to(package)}:{node.lineno}: {node.value!r}")
    assert found == []
