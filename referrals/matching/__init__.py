"""Matching an intake to programs: hard filters with reasons, then a ranked, explained list."""
