"""Rendering the index into HTML fragments, plots and thumbnails; no MkDocs involved.

Every URL in rendered HTML starts with `ROOT`, a placeholder for the page's way back to the
site root, so one fragment serves every page it appears on (see `html.relative_root`).
"""
