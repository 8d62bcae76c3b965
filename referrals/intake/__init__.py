"""The intake area."""
