"""The interface's language: the user's choice, else the browser's, else English."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.language import views

    return views.bp
