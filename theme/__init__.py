"""Material for MkDocs overrides shipped with mljournal (a package only so it installs)."""
