"""The programs area."""
