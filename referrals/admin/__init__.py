"""The admin area: organizations, programs and staff accounts."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.admin import org_views, program_views, user_views, views  # noqa: F401  (routes register on bp)

    return views.bp
