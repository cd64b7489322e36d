"""The `journal` command: a thin layer over mljournal.commands, and the one error boundary.

Library code raises JournalError (or returns diagnostics); here, and only here, they become
``error: path:line: message`` on stderr and an exit code: 1 for a failed command, 2 for a
refused argument.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import sys
from pathlib import Path

import click

from mljournal import __version__
from mljournal.errors import InputError, JournalError
from mljournal.settings import ENGINES


class _WarningFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"error: {message}"
        if record.levelno >= logging.WARNING:
            return f"warning: {message}"
        return message


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_WarningFormatter())
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def _boundary(function):
    """Turn the journal's errors into a message and an exit code."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except InputError as error:
            raise click.UsageError(str(error)) from None
        except JournalError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except OSError as error:
            if os.environ.get("JOURNAL_TRACEBACK"):
                raise
            if error.errno not in _MACHINE_ERRORS:
                _bug(error)
            what, reason = _MACHINE_ERRORS[error.errno]
            where = f" {error.filename}" if error.filename else ""
            click.echo(f"error: {what}{where}: {reason} ({error.strerror}); nothing was replaced", err=True)
            sys.exit(1)
        except Exception as error:  # a bug of ours: say so, without a wall of traceback
            if os.environ.get("JOURNAL_TRACEBACK"):
                raise
            _bug(error)

    return wrapper


# What the machine refused, not a bug: said as such, with the path.
_MACHINE_ERRORS = {errno.ENOSPC: ("cannot write", "the disk is full"),
                   errno.EDQUOT: ("cannot write", "the disk quota is used up"),
                   errno.EROFS: ("cannot write", "the file system is read-only"),
                   errno.EACCES: ("cannot open", "permission denied")}


def _bug(error: Exception) -> None:
    click.echo(
        f"error: unexpected {type(error).__name__}: {error}\n"
        "This is a bug in mljournal; run again with JOURNAL_TRACEBACK=1 to see where.",
        err=True,
    )
    sys.exit(1)


config_option = click.option(
    "-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="The journal's mkdocs.yml (default: ./mkdocs.yml).",
)
engine_option = click.option(
    "--engine", type=click.Choice(ENGINES), default=None,
    help="The site engine (default: the journal's `engine` setting, else mkdocs).",
)
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Also show MkDocs' progress messages.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="journal")
def main() -> None:
    """A static-site research journal for machine-learning trial and error."""


@main.command()
@click.option("--workflow", is_flag=True, help="Also write a GitHub Actions workflow that publishes to Pages.")
@_boundary
def init(workflow: bool) -> None:
    """Start a journal here: mkdocs.yml, journal/entries/, journal/runs/, .gitignore."""
    from mljournal.commands.init import init_project

    for path, action, *chose in init_project(Path.cwd(), workflow=workflow):
        click.echo(f"{action:>8} {path.relative_to(Path.cwd()).as_posix()}" + "".join(f" ({c})" for c in chose))
    click.echo("Next: `journal entry MODEL-ID`, then `journal serve`.")


@main.command()
@click.argument("model_id", metavar="ID")
@click.option("--parent", help="The model this one changes (default: the latest model of its family).")
@click.option("-t", "--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("-m", "--message", help="The entry's text; no editor is opened. On a model's first entry, its hypothesis.")
@click.option("--hypothesis", help="The Hypothesis section's text (no editor is opened; likewise below).")
@click.option("--results", help="The Results section's text.")
@click.option("--conclusion", help="The Conclusion section's text.")
@click.option("--training", help="The Training command section's text.")
@click.option("--prediction", help="The Prediction command section's text.")
@click.option("--problems", help="The Problems met section's text.")
@config_option
@_boundary
def entry(model_id: str, parent: str | None, tags: tuple[str, ...], message: str | None, config_file: Path | None,
          **sections: str | None) -> None:
    """Write a new dated entry about model ID and print its path.

    Without -m or a section option, $VISUAL or $EDITOR opens it; with no terminal, the
    template is written as is.
    """
    from mljournal.commands.entry import create_entry
    from mljournal.ids import check_model_id
    from mljournal.project import find_config, load_project

    check_model_id(model_id)
    if parent is not None:
        check_model_id(parent)
    _setup_logging(False)
    project = load_project(find_config(config_file))
    given = {name: text for name, text in sections.items() if text is not None}
    written = create_entry(project.settings, project.root, model_id, parent=parent, tags=tags, message=message,
                           sections=given)
    for warning in written.warnings:
        click.echo(f"warning: {warning}", err=True)
    path = written.path
    shown = os.path.relpath(path)
    click.echo(shown)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if message is None and not given and editor and sys.stdin.isatty() and sys.stdout.isatty():
        click.edit(filename=str(path), editor=editor)


@main.command()
@click.option("--strict", is_flag=True, help="Fail on any warning.")
@click.option("--force", is_flag=True, help="Build even if nothing changed since the last build.")
@engine_option
@config_option
@verbose_option
@_boundary
def build(strict: bool, force: bool, engine: str | None, config_file: Path | None, verbose: bool) -> None:
    """Build the site (site_dir, default site/) from the journal."""
    from mljournal.commands.build import build_site
    from mljournal.project import find_config

    _setup_logging(verbose)
    report = build_site(find_config(config_file), strict=strict, force=force, engine=engine)
    warned = f", {report.warnings} warnings" if report.warnings else ""
    if report.up_to_date:
        click.echo(
            f"Up to date: nothing changed since {report.site_dir}/ was built from {report.entries} entries about "
            f"{report.models} models ({report.checked} files checked in {report.seconds:.2f} s{warned}); "
            "--force builds anyway."
        )
        return
    click.echo(
        f"Built {report.site_dir}/ from {report.entries} entries about {report.models} models: "
        f"{report.pages} pages in {report.seconds:.1f} s{warned}."
    )


@main.command()
@click.option("--remote", default="origin", show_default=True, help="The git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch GitHub Pages serves.")
@click.option("-m", "--message", help="The commit message (default: the source commit and the time).")
@click.option("--force", is_flag=True, help="Publish over a remote branch that has commits this repository lacks.")
@click.option("--allow-warnings", is_flag=True, help="Publish even if the build has warnings.")
@click.option("--no-secret-check", is_flag=True, help="Skip the token scan (only after checking each finding).")
@click.option("--dry-run", is_flag=True, help="Build and check only; push nothing (for CI that deploys itself).")
@click.option("--allow-uncommitted", is_flag=True, help="Publish journal files that are not committed (named in the commit).")
@config_option
@verbose_option
@_boundary
def publish(remote: str, branch: str, message: str | None, force: bool, allow_warnings: bool,
            no_secret_check: bool, dry_run: bool, allow_uncommitted: bool, config_file: Path | None,
            verbose: bool) -> None:
    """Build strictly and push the site to GitHub Pages (the gh-pages branch)."""
    from mljournal.commands.publish import publish as publish_journal
    from mljournal.project import find_config

    _setup_logging(verbose)
    report = publish_journal(
        find_config(config_file), remote=remote, branch=branch, message=message, force=force,
        allow_warnings=allow_warnings, check_secrets=not no_secret_check, dry_run=dry_run,
        allow_uncommitted=allow_uncommitted,
    )
    if report.uncommitted:
        click.echo(f"warning: published {len(report.uncommitted)} journal files that are not committed "
                   f"(listed in the gh-pages commit): {', '.join(report.uncommitted[:5])}"
                   + (" …" if len(report.uncommitted) > 5 else ""), err=True)
    size = f"{report.bytes / 1e6:.1f} MB"
    if report.published is None:
        click.echo(f"Checked {report.files} files ({size}) in {report.build.site_dir}/: ready to publish.")
    elif report.published.changed:
        click.echo(f"Published {report.files} files ({size}) to {report.remote}/{report.branch} "
                   f"as {report.published.commit[:12]}.")
    else:
        click.echo(f"Nothing changed: {report.remote}/{report.branch} already holds this site "
                   f"({report.published.commit[:12]}).")


@main.command()
@click.option("-a", "--dev-addr", metavar="HOST:PORT", default=None, help="Where to serve (default 127.0.0.1:8000).")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@engine_option
@config_option
@verbose_option
@_boundary
def serve(dev_addr: str | None, open_browser: bool, engine: str | None, config_file: Path | None, verbose: bool) -> None:
    """Preview the site live, rebuilt as entries and runs change."""
    from mljournal.commands.serve import DEFAULT_ADDRESS, serve_site
    from mljournal.project import find_config

    _setup_logging(True)
    serve_site(find_config(config_file), dev_addr=dev_addr or DEFAULT_ADDRESS, open_in_browser=open_browser,
               engine=engine)
