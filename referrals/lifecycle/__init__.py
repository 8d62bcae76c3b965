"""The lifecycle area."""
