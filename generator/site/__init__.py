"""The MkDocs side: the `journal` plugin that puts the rendered journal into a MkDocs site."""
