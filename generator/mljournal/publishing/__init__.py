"""Publishing a built site: checking it is safe to publish, and putting it on GitHub Pages."""
