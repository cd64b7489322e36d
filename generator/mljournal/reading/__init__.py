"""Reading the journal from disk: entries (Markdown + front matter) and run folders."""
