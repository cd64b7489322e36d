"""mljournal: a static-site research journal for machine-learning trial and error.

The public API is the recorder a training script or notebook uses:

    import mljournal
    with mljournal.start("tcn-7", params={"lr": 3e-4}) as run:
        for step in range(1000):
            ...
            run.log(step=step, loss=loss)
        run.screenshot(fig, "curves")
        run.excerpt(TCNBlock)

`import mljournal` loads nothing but this file: the recorder is imported when first used,
and the site generator (the pipeline below) only by `journal` commands and site engines.

    reading/     journal files -> Entry and Run objects (formats/: each training tool's files)
    index.py     entries + runs -> a JournalIndex of models, lineage, mentions, corrections
    rendering/   index -> planned pages (routes.py, pages/), HTML, plots and thumbnails
    engines/     a site engine writes the pages: MkDocs (and ProperDocs), Zensical
    commands/    `journal init|entry|build|serve|publish`, plain functions under cli.py
    recording/   the recorder behind `start`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"
__all__ = ["RecordingError", "Run", "__version__", "start"]

if TYPE_CHECKING:  # pragma: no cover
    from mljournal.recording.run import RecordingError, Run, start


def __getattr__(name: str):
    if name in ("RecordingError", "Run", "start"):
        from mljournal.recording import run

        return getattr(run, name)
    raise AttributeError(f"module 'mljournal' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
