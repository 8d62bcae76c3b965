"""API tokens: made, listed and revoked by supervisors; checked at every token route."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.tokens import views

    return views.bp
