"""The `journal` command: exact output, messages and exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG


def test_entry_writes_a_dated_card_and_prints_its_path(project, cli):
    result = cli("entry", "tcn-1", "--tag", "baseline", "-t", "tcn")
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert re.fullmatch(r"journal/entries/\d{4}-\d\d/\d{4}-\d\d-\d\d-tcn-1\.md", path.as_posix())
    text = path.read_text()
    assert re.match(r"---\ndate: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d\nmodel: tcn-1\ntags: \[baseline, tcn\]\n---\n", text)
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == ["Hypothesis", "Results", "Conclusion", "Training command", "Prediction command", "Problems met"]


def test_later_entries_get_a_note_and_the_parent_is_guessed(project, cli):
    cli("entry", "tcn-6", "-m", "six")
    first = Path(cli("entry", "tcn-7", "-m", "seven").output.strip())
    assert "parent: tcn-6\n" in first.read_text()
    second = Path(cli("entry", "tcn-7").output.strip())
    assert second.name.endswith("-tcn-7-2.md")
    text = second.read_text()
    assert "parent: tcn-6\n" in text and "## Hypothesis" not in text
    assert first.read_text().endswith("---\n## Hypothesis\n\nseven\n")  # a first entry's message is its hypothesis


def test_a_whole_card_can_be_written_from_a_shell_and_a_later_entry_gets_sections_too(project, cli):
    first = Path(cli("entry", "cnn-7", "-m", "Deeper nets beat 0.9.", "--conclusion", "They do not.",
                     "--training", "python train.py --depth 7").output.strip())
    assert first.read_text().split("---\n")[2] == (
        "## Hypothesis\n\nDeeper nets beat 0.9.\n\n## Conclusion\n\nThey do not.\n\n"
        "## Training command\n\npython train.py --depth 7\n")
    both = Path(cli("entry", "cnn-8", "-m", "first notes", "--hypothesis", "H.").output.strip())
    assert both.read_text().split("---\n")[2] == "first notes\n\n## Hypothesis\n\nH.\n"
    later = Path(cli("entry", "cnn-7", "-m", "lr 3e-4 diverges", "--conclusion", "It diverged.").output.strip())
    assert later.read_text().split("---\n")[2] == "lr 3e-4 diverges\n\n## Conclusion\n\nIt diverged.\n"
    assert cli("build").exit_code == 0
    home = project.page("")
    assert "Deeper nets beat 0.9." in home and "It diverged." in home


def test_an_id_differing_from_a_known_model_in_case_is_refused_and_an_unknown_parent_warned_of(project, cli):
    cli("entry", "cnn-7", "-m", "seven")
    twin = cli("entry", "CNN-7", "-m", "x")
    assert twin.exit_code == 1
    assert twin.output == ("error: model 'CNN-7' differs from the known 'cnn-7' only in case, and both would be one "
                           "page; write `journal entry cnn-7`\n")
    orphan = cli("entry", "cnn-8", "--parent", "cnn-66", "-m", "x")
    assert orphan.exit_code == 0
    assert orphan.output.splitlines()[0] == ("warning: parent 'cnn-66' is no model the journal knows yet (did you "
                                             "mean 'cnn-7'?); the entry names it all the same")
    assert len(list(project.entries.rglob("*.md"))) == 2


def test_an_unfilled_card_is_never_content_and_near_misses_are_named(project, cli):
    """A card left as `journal entry` wrote it showed its hint as the model's hypothesis."""
    path = Path(cli("entry", "tcn-1").output.strip())  # no terminal: the template as is
    project.entry("2026-10-02-tcn-2.md", "---\ndate: 2026-10-02\nmodel: tcn-2\nstatus: don\n---\n"
                  "## Hypotesis\n\nWider is better.\n\n## Conclusion\n\nIt is.\n")
    result = cli("build")
    shown = path.as_posix()
    assert [line for line in result.output.splitlines() if line.startswith("warning")] == [
        "warning: journal/entries/2026-10-02-tcn-2.md:6: heading 'Hypotesis' is not a section the journal reads "
        "(did you mean 'Hypothesis'?)",
        "warning: journal/entries/2026-10-02-tcn-2.md:4: status 'don' is none of planned, running, done, abandoned, "
        "buggy (did you mean 'done'?); shown as written",
        f"warning: {shown}:7: the card's template text is still here (and on 2 more lines): write your own or "
        "delete it; it counts as empty",
    ]
    home = project.page("")
    assert "What this model should show" not in home and "Two or three sentences" not in home


def test_explicit_parent_and_the_git_commit(project, cli):
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    text = Path(cli("entry", "mlp-2", "--parent", "tcn-1", "-m", "x").stdout.strip()).read_text()
    assert "parent: tcn-1\n" in text
    assert re.search(r"^commit: [0-9a-f]{12}(-dirty)?$", text, re.M)


@pytest.mark.parametrize(
    ("model_id", "message"),
    [
        ("../x", "model ID '../x' contains '/'; use only letters, digits, '-', '_' and '.'"),
        ("a/b", "model ID 'a/b' contains '/'; use only letters, digits, '-', '_' and '.'"),
        ("/abs", "model ID '/abs' contains '/'; use only letters, digits, '-', '_' and '.'"),
        (".hidden", "model ID '.hidden' cannot start with '.'"),
        ("", "a model ID cannot be empty"),
        ("x" * 65, "model ID 'xxxxxxxxxxxxxxxxxxxx'… is 65 characters long; the limit is 64"),
        ("tcn 7", "model ID 'tcn 7' contains ' '; use only letters, digits, '-', '_' and '.'"),
        ("index", "model ID 'index' is a reserved name; choose another"),
    ],
)
def test_unsafe_ids_are_refused_with_exit_code_2(project, cli, model_id, message):
    result = cli("entry", model_id, "-m", "x")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"
    assert list(project.entries.rglob("*.md")) == []


def test_entry_never_hangs_without_a_terminal(project, tmp_path):
    # A real process with no terminal and an editor that would block forever.
    result = subprocess.run(
        [sys.executable, "-m", "mljournal", "entry", "tcn-1"],
        cwd=project.root, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "EDITOR": "sleep 3600", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert Path(project.root / result.stdout.strip()).read_text().count("## ") == 6


def test_entry_outside_a_journal_says_how_to_start(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    result = cli("entry", "tcn-1", "-m", "x")
    assert result.exit_code == 1
    assert result.output == "error: no mkdocs.yml here: run `journal init` to start a journal, or pass -f PATH\n"


def test_init_creates_a_journal_and_never_overwrites(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("*.log\n")
    result = cli("init")
    assert result.exit_code == 0
    assert result.output == (
        " created mkdocs.yml\n created journal/entries\n created journal/runs\nadded to .gitignore\n"
        "Next: `journal entry MODEL-ID`, then `journal serve`.\n"
    )
    assert (tmp_path / ".gitignore").read_text().startswith("*.log\n\n# mljournal:")
    (tmp_path / "mkdocs.yml").write_text((tmp_path / "mkdocs.yml").read_text() + "# mine\n")
    again = cli("init")
    assert again.output.splitlines()[:4] == ["    kept mkdocs.yml", "    kept journal/entries", "    kept journal/runs", "    kept .gitignore"]
    assert (tmp_path / "mkdocs.yml").read_text().endswith("# mine\n")
    assert cli("entry", "a-1", "-m", "hello a-1").exit_code == 0
    built = cli("build")
    assert built.exit_code == 0, built.output
    assert (tmp_path / "site" / "models" / "a-1" / "index.html").is_file()
    assert built.output.splitlines()[0] == (
        "warning: no Atom feed: set site_url in mkdocs.yml to the address the site is published at "
        "(for GitHub Pages, https://NAME.github.io/REPO/), and feed.xml is written")
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text().replace("# site_url: https://YOUR-NAME.github.io/YOUR-REPO/",
                                                 "site_url: https://me.github.io/notes/"))
    assert cli("build", "--strict").exit_code == 0 and (tmp_path / "site" / "feed.xml").is_file()


@pytest.mark.parametrize(("remote", "address"), [
    ("git@github.com:Me/notes.git", "https://me.github.io/notes/"),
    ("https://github.com/me/me.github.io", "https://me.github.io/"),
    ("https://gitlab.com/me/notes.git", None),
])
def test_init_takes_site_url_from_a_github_remote(tmp_path, monkeypatch, cli, remote, address):
    import subprocess

    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "remote", "add", "origin", remote], check=True)
    assert cli("init").exit_code == 0
    text = (tmp_path / "mkdocs.yml").read_text()
    if address:
        assert f"\nsite_url: {address}\n" in text
    else:
        assert "\n# site_url: https://YOUR-NAME.github.io/YOUR-REPO/\n" in text


def test_build_reports_warnings_and_strict_fails_keeping_the_old_site(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    assert cli("build").exit_code == 0
    marker = project.root / "site" / "marker"
    marker.write_text("old site")
    project.entry("2026-10-02-bad.md", "---\ndate: 2026-10-02\nmodle: a-1\n---\n")
    lenient = cli("build")
    assert lenient.exit_code == 0
    assert lenient.output.splitlines()[0] == (
        "warning: journal/entries/2026-10-02-bad.md:3: unknown key 'modle' (did you mean 'model'?); the keys are: "
        "date, model, parent, tags, status, corrects, commit, title"
    )
    assert re.fullmatch(r"Built .*/site/ from 1 entries about 1 models: 7 pages in [\d.]+ s, 1 warnings\.", lenient.output.splitlines()[1])
    (project.root / "site" / "marker").write_text("old site")
    strict = cli("build", "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1].startswith("error: the build failed, ")
    assert strict.output.splitlines()[-1].endswith("site is left as it was: Aborted with 1 warnings in strict mode!")
    assert (project.root / "site" / "marker").read_text() == "old site"
    assert not [p for p in project.root.iterdir() if p.name.startswith(".site")]


@pytest.mark.parametrize(
    ("site_dir", "message"),
    [
        (".", "error: site_dir '.' is the project folder, which the build would wipe; use a folder such as 'site'\n"),
        ("journal/site", "error: site_dir 'journal/site' overlaps the journal folder 'journal', which the build "
                         "would wipe or fill; use a folder such as 'site' next to it\n"),
    ],
)
def test_a_site_dir_that_would_clobber_the_journal_is_refused(project, cli, site_dir, message):
    project.config(MINIMAL_CONFIG.replace("site_dir: site", f"site_dir: {site_dir}"))
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    result = cli("build")
    assert result.exit_code == 1
    assert result.output == message
    assert (project.entries / "2026-10-01-a-1.md").exists()


def test_our_own_site_dir_check_refuses_home_and_project_folders(tmp_path):
    from mljournal.errors import ConfigError
    from mljournal.output import check_site_dir

    with pytest.raises(ConfigError, match="is your home folder, which the build would wipe"):
        check_site_dir(Path.home(), tmp_path / "journal", tmp_path)
    with pytest.raises(ConfigError, match="is the project folder, which the build would wipe"):
        check_site_dir(tmp_path, Path("/elsewhere/journal"), tmp_path)


def test_a_config_without_the_plugin_is_named(project, cli):
    project.config(MINIMAL_CONFIG.replace("  - journal\n", ""))
    result = cli("build")
    assert result.exit_code == 1
    assert result.output == "error: mkdocs.yml: the journal plugin is not on: add 'plugins: [search, journal]'\n"


def test_a_bad_plugin_option_is_named(project, cli):
    project.config(MINIMAL_CONFIG.replace("  - journal\n", "  - journal:\n      sections:\n        conclusoin: [Wnioski]\n"))
    result = cli("build")
    assert result.exit_code == 1
    assert result.output == (
        "error: mkdocs.yml:11: journal option 'sections': unknown section 'conclusoin' (did you mean 'conclusion'?); "
        "the sections are: hypothesis, conclusion, results, training, prediction, problems\n")


def test_an_unknown_plugin_option_is_named_with_its_line_and_the_option_meant(project, cli):
    project.config(MINIMAL_CONFIG.replace("  - journal\n", "  - journal:\n      timeline_page_size: 20\n      entires: notes\n"))
    result = cli("build")
    assert result.exit_code == 1
    assert result.output.startswith(
        "error: mkdocs.yml:12: unknown option 'entires' of the journal plugin (did you mean 'entries'?); "
        "the options are: cache_dir, entries, runs, sections,")


def test_a_bad_option_value_is_named_the_same_by_journal_build_and_plain_mkdocs(project, cli):
    import subprocess
    import sys

    project.config(MINIMAL_CONFIG.replace("  - journal\n", "  - journal:\n      plot_format: jpeg\n"))
    result = cli("build")
    assert result.exit_code == 1
    assert result.output == "error: mkdocs.yml:11: journal option 'plot_format': expected one of: svg, png\n"
    plain = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project.root, capture_output=True, text=True)
    assert plain.returncode == 1
    assert "Plugin 'journal' option 'plot_format': expected one of: svg, png" in plain.stderr


def test_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "mljournal", "--help"], capture_output=True, text=True)
    assert [line.split()[0] for line in result.stdout.split("Commands:")[1].strip().splitlines()] == ["build", "entry", "init", "publish", "serve"]


def _age(root):
    """Make every file look written a minute ago: older than the stamp's racy window."""
    import os
    import time

    old = time.time() - 60
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))


def test_a_build_with_nothing_changed_says_up_to_date_and_repeats_its_warnings(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\nparent: zz-9\n---\nText.\n")
    _age(project.root)
    first = cli("build")
    assert first.stdout.startswith("Built ")
    again = cli("build")
    assert again.exit_code == 0
    assert again.stdout.startswith("Up to date: nothing changed since ")
    assert "(no entry is about it" in again.stderr and again.stderr == first.stderr  # the same warnings
    assert cli("build", "--force").stdout.startswith("Built ")
    _age(project.root)
    (project.root / "site" / "index.html").unlink()  # the site is not as the build left it
    assert cli("build").stdout.startswith("Built ")
    _age(project.root)
    cli("build")
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\nparent: zz-9\n---\nText!\n")
    assert cli("build").stdout.startswith("Built ")  # an edited entry
    _age(project.root)
    cli("build")
    assert cli("build", "--strict").exit_code == 1  # strict never skips a build that had warnings


def test_right_after_a_run_wrote_its_files_nothing_changed_costs_a_content_check_not_a_build(project, cli):
    """Files modified within two seconds of the stamp forced a full rebuild (11.8 s at 2,000
    entries); as git does, they are checked by content. A same-size rewrite that keeps the
    file's mtime (a coarse clock) is still seen."""
    import os

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nText.\n")
    metrics = project.run_file("a-1", "metrics.csv", "step,loss\n1,0.5\n2,0.4\n")  # just written
    assert cli("build").stdout.startswith("Built ")
    assert cli("build").stdout.startswith("Up to date: nothing changed since ")
    stat = metrics.stat()
    metrics.write_text("step,loss\n1,0.5\n2,0.9\n")  # same size
    os.utime(metrics, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    assert cli("build").stdout.startswith("Built ")
    assert "0.9000" in project.page("models/a-1")
    assert cli("build").stdout.startswith("Up to date")


def test_up_to_date_sees_hooks_and_environment_values_in_the_config(project, cli, monkeypatch):
    hook = project.root / "hooks.py"
    hook.write_text("def on_post_page(output, **kwargs):\n    return output.replace('</body>', '<!-- A --></body>')\n")
    config = project.config().read_text() + "hooks:\n  - hooks.py\nsite_description: !ENV [DESC, 'none']\n"
    project.config(config)
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nText.\n")
    _age(project.root)
    assert cli("build").stdout.startswith("Built ")
    assert cli("build").stdout.startswith("Up to date")
    hook.write_text(hook.read_text().replace("<!-- A -->", "<!-- B -->"))
    _age(project.root)
    assert cli("build").stdout.startswith("Built ")  # (in one process MkDocs keeps the hook module it imported)
    monkeypatch.setenv("DESC", "a new description")
    assert cli("build").stdout.startswith("Built ")


def test_a_killed_builds_scratch_folders_are_removed_by_the_next_build(project, cli):
    """A build killed mid-way leaves .site.building-<pid>; the next build removes it (its
    process is gone), but never the folder of a build still running."""
    import subprocess

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = project.root / f".site.building-{gone.pid}"
    (stale / "models").mkdir(parents=True)
    old = project.root / f".site.old-{gone.pid}"
    old.mkdir()
    running = project.root / f".site.building-{os.getppid()}"  # a live process: the test runner's parent
    running.mkdir()
    assert cli("build").exit_code == 0
    assert not stale.exists() and not old.exists() and running.is_dir()
    assert (project.root / "site" / "models" / "a-1" / "index.html").is_file()


def test_a_site_dir_holding_the_authors_files_is_refused_and_nothing_is_lost(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    notes = project.root / "docs" / "notes.md"
    notes.parent.mkdir()
    notes.write_text("my notes\n")
    project.config((project.root / "mkdocs.yml").read_text().replace("site_dir: site", "site_dir: docs"))
    result = cli("build")
    assert result.exit_code == 1
    assert result.output == (
        "error: site_dir 'docs' holds files the journal did not build (notes.md), and every build replaces that "
        "whole folder; move them away, or set site_dir to a new folder such as 'site'\n")
    assert notes.read_text() == "my notes\n"
    notes.unlink()  # an empty folder, then the journal's own site, are replaced freely
    assert cli("build").exit_code == 0 and cli("build", "--force").exit_code == 0
    assert (project.root / "docs" / ".mljournal-site").is_file()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_keys_links_out_of_the_journal_and_fifos_are_left_out_of_the_site_with_a_warning(project, tmp_path, engine):
    """A netrc linked into the docs folder would be published (the secret scan sees no token
    in it); key files were copied silently; a FIFO hung the build. In a child process with a
    time limit, so a hang fails the test."""
    import os
    import subprocess
    import sys

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    secret = tmp_path / "netrc"
    secret.write_text("machine example.org login me password hunter2\n")
    docs = project.root / "journal"
    (docs / "netrc.txt").symlink_to(secret)
    (docs / "id_rsa").write_text("not really a key\n")
    (docs / "server.pem").write_text("not really a certificate\n")
    (docs / "about.md").write_text("# About\n")
    os.mkfifo(docs / "pipe.md")
    done = subprocess.run([sys.executable, "-m", "mljournal", "build", "--engine", engine], cwd=project.root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[:4] == [
        "warning: journal/id_rsa: skipped: a key or credentials file is never put into the site",
        "warning: journal/netrc.txt: skipped: a symbolic link that points outside the journal",
        "warning: journal/pipe.md: skipped: not a regular file (a FIFO, socket or device is never opened)",
        "warning: journal/server.pem: skipped: a key or credentials file is never put into the site",
    ]
    site = project.root / "site"
    published = {p.name for p in site.rglob("*")}
    assert not published & {"netrc.txt", "id_rsa", "server.pem", "pipe.md", "pipe"}
    assert "hunter2" not in "".join(p.read_text(errors="replace") for p in site.rglob("*") if p.is_file()
                                    and p.suffix in (".html", ".json", ".txt", ".xml"))
    assert (site / "about").is_dir()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_folders_linked_out_of_the_journal_or_in_a_loop_are_never_walked(project, engine):
    """A run folder linked to /usr made the build run for minutes in gigabytes (MkDocs' own
    listing follows links before any plugin sees a file); a link to `..` looped until the
    paths were too long. Only a linked folder that stays inside the journal is followed,
    once. In a child process with a time limit, so a runaway walk fails the test."""
    import os
    import subprocess
    import sys

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    docs = project.root / "journal"
    (docs / "runs" / "usr-1").symlink_to("/usr", target_is_directory=True)
    (docs / "system").symlink_to("/", target_is_directory=True)
    (docs / "project").symlink_to("..", target_is_directory=True)
    (docs / "notes").mkdir()
    (docs / "notes" / "page.md").write_text("# A page\n")
    (docs / "notes" / "up").symlink_to("..", target_is_directory=True)
    (docs / "gone").symlink_to("no-such-folder", target_is_directory=True)
    os.symlink("notes", docs / "same-notes")
    done = subprocess.run([sys.executable, "-m", "mljournal", "build", "--engine", engine], cwd=project.root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if "feed" not in line]
    assert sorted(warned) == sorted([  # in the order each engine lists the files
        "warning: journal/project: skipped: a symbolic link that points outside the journal",
        "warning: journal/system: skipped: a symbolic link that points outside the journal",
        "warning: journal/notes/up: skipped: a symbolic link to a folder it is in (a loop)",
        "warning: journal/same-notes/up: skipped: a symbolic link to a folder it is in (a loop)",
        "warning: journal/gone: skipped: a broken or looping symbolic link",  # a file to MkDocs
        "warning: journal/runs/usr-1: skipped: run folders cannot be symbolic links",
    ])
    assert (project.root / "site" / "same-notes" / "page" / "index.html").is_file()  # inside: followed
    site = project.root / "site"
    assert (site / "notes" / "page" / "index.html").is_file()
    assert sum(1 for _ in site.rglob("*")) < 400
    assert not (site / "system").exists() and not (site / "project").exists()
    again = subprocess.run([sys.executable, "-m", "mljournal", "build", "--engine", engine], cwd=project.root,
                           capture_output=True, text=True, timeout=60)  # the up-to-date check walks as the build
    assert again.returncode == 0, again.stderr


def test_names_that_are_not_utf8_are_skipped_with_a_warning_and_a_bom_is_no_header_problem(project, cli):
    """A name that is not UTF-8 anywhere under the journal aborted the build ("a bug", from the
    up-to-date check); Excel's "CSV UTF-8" starts metrics.csv with a byte-order mark."""
    import os

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    project.run_file("a-1", "metrics.csv", b"\xef\xbb\xbfstep,loss\n1,0.5\n2,0.25\n")
    journal = os.fsencode(project.root / "journal")
    with open(journal + b"/notes-\xff.md", "w") as handle:
        handle.write("# notes\n")
    with open(journal + b"/runs/a-1/log-\xfe.csv", "w") as handle:
        handle.write("step,x\n1,2\n")
    result = cli("build")
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        r"warning: journal/notes-\udcff.md: skipped: the file name is not valid UTF-8",  # the bytes, escaped
        r"warning: journal/runs/a-1/log-\udcfe.csv: skipped: the file name is not valid UTF-8",
    ]
    assert "2 warnings" in result.output.splitlines()[2]
    assert "loss" in project.page("models/a-1")


def test_a_full_disk_is_said_with_its_path_and_the_old_site_stays(project, cli, monkeypatch):
    import errno

    from mljournal.commands import build as command

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    assert cli("build").exit_code == 0
    site = project.root / "site"
    before = sorted(p.relative_to(site) for p in site.rglob("*"))

    def full(staging, final):
        raise OSError(errno.ENOSPC, "No space left on device", str(staging / "index.html"))

    monkeypatch.setattr(command, "swap_in", full)
    result = cli("build", "--force")
    assert result.exit_code == 1
    assert result.output.endswith(
        "/index.html: the disk is full (No space left on device); nothing was replaced\n")
    assert result.output.startswith(f"error: cannot write {project.root}/.site.building-")
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_fifos_in_entries_and_runs_are_skipped_with_a_warning(project, cli):
    import os

    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    project.run_file("a-1", "metrics.csv", "step,loss\n1,0.5\n")
    os.mkfifo(project.entries / "2026-10-02-pipe.md")
    os.mkfifo(project.runs / "a-1" / "live.csv")
    result = cli("build")
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        "warning: journal/entries/2026-10-02-pipe.md: skipped: not a regular file (a FIFO, socket or device is never opened)",
        "warning: journal/runs/a-1/live.csv: skipped: not a regular file (a FIFO, socket or device is never opened)",
    ]


def test_a_writer_gone_wrong_gives_a_few_warnings_per_file_and_a_count(project, cli):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfine\n")
    project.run_file("a-1", "metrics.jsonl", "".join("not json\n" for _ in range(10_000)) + '{"step": 1, "loss": 1}\n')
    result = cli("build")
    lines = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert lines[:5] == [f"warning: journal/runs/a-1/metrics.jsonl:{n}: not a JSON object; line skipped" for n in range(1, 6)]
    assert lines[5:] == ["warning: journal/runs/a-1/metrics.jsonl: 9995 more warnings like these in this file, not shown"]
