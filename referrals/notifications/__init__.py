"""In-app notifications about referrals, and the e-mails (links only) that announce them."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.notifications import views

    return views.bp
