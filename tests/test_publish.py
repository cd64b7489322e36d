"""`journal publish` against a real git remote: a local bare repository, cloned back."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(project, tmp_path_factory):
    """The project as a git repository whose 'origin' is a bare repository on disk."""
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nhello\n")
    project.run_file("a-1", "metrics.csv", "step,loss\n1,1\n")
    project.run_file("a-1", "model.safetensors", b"\0" * 100)
    (project.root / ".gitignore").write_text("/site/\n/.cache/\n")
    git(project.root, "init", "-q", "-b", "main")
    git(project.root, "add", ".")
    git(project.root, "commit", "-q", "-m", "journal")
    remote = tmp_path_factory.mktemp("remote") / "remote.git"
    git(remote.parent, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    project.remote = remote
    return project


def published_files(remote: Path) -> set[str]:
    clone = remote.parent / "check"
    git(remote.parent, "clone", "-q", "--branch", "gh-pages", str(remote), str(clone))
    names = {p.relative_to(clone).as_posix() for p in clone.rglob("*") if p.is_file()}
    return {n for n in names if not n.startswith(".git/")}


def test_publish_puts_the_site_on_gh_pages_and_nothing_else(repo, cli):
    result = cli("publish")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Published \d+ files \(\d+\.\d MB\) to origin/gh-pages as [0-9a-f]{12}\.\n", result.output)
    files = published_files(repo.remote)
    assert {".nojekyll", "index.html", "models/a-1/index.html", "timeline/2026-10/index.html", "search/search_index.json"} <= files
    assert not [f for f in files if f.startswith(("runs/", "entries/")) or f.endswith((".safetensors", ".md"))
                or f.endswith(".csv") and f != "conclusions.csv"]  # the table's export is the one CSV
    assert git(repo.root, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(repo.root, "status", "--porcelain") == ""


def test_publishing_again_is_linear_and_an_unchanged_site_is_not_pushed(repo, cli):
    first = cli("publish")
    again = cli("publish")
    assert again.output.startswith("Nothing changed: origin/gh-pages already holds this site")
    repo.entry("2026-10-02-a-1.md", "---\ndate: 2026-10-02\nmodel: a-1\n---\nmore\n")
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-q", "-m", "more")
    third = cli("publish")
    assert third.exit_code == 0 and third.output.startswith("Published ")
    log = git(repo.remote, "log", "--format=%s", "gh-pages").splitlines()
    assert len(log) == 2 and all(line.startswith("Publish the journal from ") for line in log)
    assert first.exit_code == 0


def test_a_diverged_remote_is_not_overwritten_without_force(repo, cli):
    assert cli("publish").exit_code == 0
    other = repo.remote.parent / "other"
    git(repo.remote.parent, "clone", "-q", "--branch", "gh-pages", str(repo.remote), str(other))
    (other / "CNAME").write_text("journal.example.org\n")
    git(other, "add", "CNAME")
    git(other, "commit", "-q", "-m", "someone else")
    git(other, "push", "-q", "origin", "gh-pages")
    theirs = git(repo.remote, "rev-parse", "gh-pages")
    repo.entry("2026-10-02-a-1.md", "---\ndate: 2026-10-02\nmodel: a-1\n---\nmore\n")
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-q", "-m", "more")
    refused = cli("publish")
    assert refused.exit_code == 1
    assert refused.output.startswith("error: origin/gh-pages has commits that this repository's gh-pages does not "
                                     "(published from elsewhere?); look at them with `git log ")
    assert "Published" not in refused.output
    assert git(repo.remote, "rev-parse", "gh-pages") == theirs
    forced = cli("publish", "--force")
    assert forced.exit_code == 0, forced.output
    assert subprocess.run(["git", "merge-base", "--is-ancestor", theirs, "gh-pages"], cwd=repo.remote).returncode == 0


def test_a_build_with_warnings_is_refused_unless_allowed(repo, cli):
    repo.entry("2026-10-02-bad.md", "---\ndate: 2026-10-02\nmodel: a-1\nparent: nobody-1\n---\n")
    refused = cli("publish")
    assert refused.exit_code == 1
    assert "Aborted with 1 warnings in strict mode!" in refused.output and "Published" not in refused.output
    assert git(repo.remote, "branch", "--list") == ""
    allowed = cli("publish", "--allow-warnings", "--allow-uncommitted", "-m", "with a warning")
    assert allowed.exit_code == 0
    assert git(repo.remote, "log", "-1", "--format=%s", "gh-pages") == "with a warning"


def test_journal_files_no_commit_holds_are_named_before_pushing_and_in_the_published_commit(repo, cli):
    """The site showed entries and runs that the commit its message named did not hold."""
    repo.entry("2026-10-02-a-2.md", "---\ndate: 2026-10-02\nmodel: a-2\nparent: a-1\n---\nnew\n")
    (repo.root / "journal" / "entries" / "2026-10-01-a-1.md").write_text("---\ndate: 2026-10-01\nmodel: a-1\n---\nedited\n")
    repo.run_file("a-2", "metrics.csv", "step,loss\n1,1\n")
    (repo.root / "journal" / "notes.txt~").write_text("an ignored backup\n")
    (repo.root / ".gitignore").write_text("/site/\n/.cache/\n*~\n")
    refused = cli("publish")
    assert refused.exit_code == 1
    assert refused.output == (
        "error: refusing to publish: 3 journal files are not committed, so the site would show what no commit "
        "holds:\n  journal/entries/2026-10-01-a-1.md\n  journal/entries/2026-10-02-a-2.md\n"
        "  journal/runs/a-2/metrics.csv\nCommit them first, or pass --allow-uncommitted to publish them as they are.\n")
    assert git(repo.remote, "branch", "--list") == ""
    allowed = cli("publish", "--allow-uncommitted")
    assert allowed.exit_code == 0, allowed.output
    assert allowed.stderr == ("warning: published 3 journal files that are not committed (listed in the gh-pages "
                              "commit): journal/entries/2026-10-01-a-1.md, journal/entries/2026-10-02-a-2.md, "
                              "journal/runs/a-2/metrics.csv\n")
    head = git(repo.root, "rev-parse", "--short=12", "HEAD")
    body = git(repo.remote, "log", "-1", "--format=%b", "gh-pages")
    assert body == (f"With 3 journal files not committed in {head}:\n  journal/entries/2026-10-01-a-1.md\n"
                    "  journal/entries/2026-10-02-a-2.md\n  journal/runs/a-2/metrics.csv")


def test_token_like_strings_and_credential_files_are_refused(repo, cli):
    token = "ghp_" + "A1b2C3d4E5" * 4
    repo.entry("2026-10-02-a-1.md", f"---\ndate: 2026-10-02\nmodel: a-1\n---\nexport GH={token}\n")
    refused = cli("publish")
    assert refused.exit_code == 1
    lines = refused.output.splitlines()
    assert lines[0] == f"error: refusing to publish {repo.root}/site: it holds what must not go public:"
    assert any(re.fullmatch(r"  timeline/2026-10/index\.html:\d+: looks like a GitHub token \(ghp_A1b2…\)", l) for l in lines)
    assert any(l.startswith("  search/search_index.json:1: looks like a GitHub token") for l in lines)
    assert lines[-1] == "Remove it from the journal (or from docs_dir) and publish again."
    assert git(repo.remote, "branch", "--list") == ""
    # a credentials file in the journal is left out of the site by the build, with a warning
    # that publishing (a strict build) stops at
    (repo.root / "journal" / "credentials.json").write_text("{}")
    refused = cli("publish")
    assert refused.exit_code == 1
    assert refused.output.splitlines()[0] == (
        "warning: journal/credentials.json: skipped: a key or credentials file is never put into the site")
    assert not (repo.root / "site" / "credentials.json").exists()
    assert git(repo.remote, "branch", "--list") == ""


def test_failed_git_steps_are_errors_never_published(repo, cli):
    git(repo.root, "remote", "set-url", "origin", str(repo.root / "no-such-remote.git"))
    fetch = cli("publish")
    assert fetch.exit_code == 1
    assert fetch.output.startswith("error: git fetch origin failed: ") and "Published" not in fetch.output
    git(repo.root, "remote", "set-url", "origin", str(repo.remote))
    hook = repo.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pages are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    push = cli("publish")
    assert push.exit_code == 1
    assert push.output.startswith("error: git push --quiet failed: remote: pages are frozen / ")
    assert "Published" not in push.output


def test_no_repository_or_no_remote_says_what_to_do(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nhello\n")
    alone = cli("publish")
    assert alone.exit_code == 1
    assert alone.output == f"error: {project.root} is not inside a git repository; `git init` and add a remote to publish\n"
    git(project.root, "init", "-q")
    no_remote = cli("publish", "--remote", "pages")
    assert no_remote.output == "error: the repository has no remote 'pages'; add one with `git remote add pages URL`\n"


def test_init_writes_a_pages_workflow_whose_journal_step_works(tmp_path, monkeypatch, cli):
    import yaml

    import mljournal

    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)  # a repository on GitHub: init knows its Pages address
    subprocess.run(["git", "remote", "add", "origin", "git@github.com:me/notes.git"], check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "master"], check=True)  # not main: the workflow follows it
    result = cli("init", "--workflow")
    assert (f" created .github/workflows/journal.yml (publishes pushes to master; installs "
            f"'mljournal=={mljournal.__version__}')") in result.output.splitlines()
    workflow = yaml.safe_load((tmp_path / ".github/workflows/journal.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["master"]  # YAML 1.1 reads the key `on` as true
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build_steps = workflow["jobs"]["build"]["steps"]
    assert [s.get("uses") for s in build_steps] == ["actions/checkout@v4", "actions/setup-python@v5", None,
                                                   "actions/upload-pages-artifact@v3"]
    assert build_steps[3]["with"] == {"path": "site"}
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"] == "actions/deploy-pages@v4"
    run = build_steps[2]["run"]
    assert run == (f"python3 -m venv .venv && .venv/bin/pip install 'mljournal=={mljournal.__version__}' && "
                   ".venv/bin/journal publish --dry-run")
    # The journal part of that step, here: a strict build and the checks, nothing pushed, no git needed.
    assert cli("entry", "a-1", "-m", "hello").exit_code == 0
    checked = cli("publish", "--dry-run")
    assert checked.exit_code == 0, checked.output
    assert re.fullmatch(rf"Checked \d+ files \(\d+\.\d MB\) in {tmp_path}/site/: ready to publish\.\n", checked.output)
    assert cli("init", "--workflow").output.splitlines()[4] == "    kept .github/workflows/journal.yml"
    other = tmp_path / "other"
    other.mkdir()
    (other / "requirements.txt").write_text("torch\nmljournal[parquet]>=0.2\n")
    monkeypatch.chdir(other)
    cli("init", "--workflow")
    assert ".venv/bin/pip install -r requirements.txt &&" in (other / ".github/workflows/journal.yml").read_text()


def test_this_repository_publishes_its_sample_with_the_readme_install_command():
    import yaml

    from conftest import REPO
    from test_readme import readme_commands

    run_command, _ = readme_commands()
    install = run_command.split(" && .venv/bin/journal build")[0]
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert steps[3]["run"] == f"{install} && .venv/bin/journal publish --dry-run"
    # the sample's site_url is the address Pages gives the repository
    assert steps[2]["uses"] == "actions/configure-pages@v5"
    assert steps[3]["env"] == {"JOURNAL_SITE_URL": "${{ steps.pages.outputs.base_url }}/"}
    assert "site_url: !ENV [JOURNAL_SITE_URL," in (REPO / "mkdocs.yml").read_text()


def test_dry_run_refuses_what_publish_refuses(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nkey AKIAABCDEFGHIJKLMNOP\n")
    refused = cli("publish", "--dry-run")
    assert refused.exit_code == 1
    assert "looks like an AWS access key (AKIAABCD…)" in refused.output


def test_no_secret_check_skips_only_the_token_scan(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nkey AKIAABCDEFGHIJKLMNOP\n")
    assert cli("publish", "--dry-run", "--no-secret-check").exit_code == 0
    (project.root / "journal" / "id_rsa").write_text("x")
    refused = cli("publish", "--dry-run", "--no-secret-check")  # key files are never in a site, checked or not
    assert refused.exit_code == 1
    assert refused.output.splitlines()[0] == (
        "warning: journal/id_rsa: skipped: a key or credentials file is never put into the site")
    assert "AWS" not in refused.output


def test_a_link_to_a_secret_outside_the_journal_is_never_published(repo, cli, tmp_path):
    """A netrc linked into the journal: the strict build refuses it, an allowed one leaves it
    out; a link put into the site folder itself is refused by the scan."""
    from mljournal.publishing.scan import scan_site

    secret = tmp_path / "netrc"
    secret.write_text("machine example.org login me password hunter2\n")
    (repo.root / "journal" / "netrc.txt").symlink_to(secret)
    refused = cli("publish")
    assert refused.exit_code == 1
    assert "journal/netrc.txt: skipped: a symbolic link that points outside the journal" in refused.output
    assert git(repo.remote, "branch", "--list") == ""
    assert cli("publish", "--allow-warnings", "--allow-uncommitted").exit_code == 0
    assert not any("netrc" in name for name in published_files(repo.remote))
    (repo.root / "site" / "netrc.txt").symlink_to(secret)
    (repo.root / "site" / "etc").symlink_to("/etc", target_is_directory=True)
    findings, _, _ = scan_site(repo.root / "site")
    assert [str(f) for f in findings] == ["etc/: a symbolic link",
                                          "netrc.txt: a symbolic link (a build copies files; this points elsewhere)"]
