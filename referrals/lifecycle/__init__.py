"""The lifecycle area."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.lifecycle import conversation_views, views  # noqa: F401  (routes register on bp)

    return views.bp
