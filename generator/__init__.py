"""mljournal: a static-site research journal for machine-learning trial and error.

The pipeline, one package per stage:

    reading/    journal files -> Entry and Run objects (no MkDocs involved)
    index.py    entries + runs -> a JournalIndex of models, lineage, mentions
    rendering/  index -> HTML fragments, plots and thumbnails (no MkDocs involved)
    site/       the MkDocs plugin that puts the rendered pages into a site
    commands/   `journal init|entry|build|serve`, plain functions under cli.py
"""

__version__ = "0.1.0"
