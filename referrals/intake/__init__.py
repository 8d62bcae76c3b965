"""The intake area."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.intake import consent_views, match_views, views  # noqa: F401  (routes register on bp)

    return views.bp
