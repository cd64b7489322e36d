"""Record a run into the journal from a training script or a notebook.

    import mljournal
    with mljournal.start("tcn-7", params={"lr": 3e-4}) as run:
        for step in range(1000):
            ...
            run.log(step=step, loss=loss)
        run.screenshot(fig, "curves")
        run.excerpt(TCNBlock)

The journal's site generator lives in the `generator` package; this is the small recording API.
"""

from generator import __version__
from generator.recording.run import RecordingError, Run, find_journal, start

__all__ = ["RecordingError", "Run", "__version__", "find_journal", "start"]
