"""Worker processes for the parts of a build that are spread over the cores."""

from __future__ import annotations

import os
import sys


def can_spawn() -> bool:
    """Whether a spawned worker can start here: it re-imports the main module, which a
    program read from standard input (or an odd embedding) does not have as a file."""
    if (os.cpu_count() or 1) < 2:
        return False
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)
