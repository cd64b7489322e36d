"""Recording runs from training scripts and notebooks into the journal's own run format."""
