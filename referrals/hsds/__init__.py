"""Open Referral HSDS 3.0: the directory served, exported and imported."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.hsds import views

    return views.bp
