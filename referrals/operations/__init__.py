"""Operations: health and readiness probes, metrics, and the request log."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.operations import views

    return views.bp
