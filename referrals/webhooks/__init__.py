"""Signed webhooks: events about an organization's referrals, ids and types only."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint, with every route module registered on it (imported once, here)."""
    from referrals.webhooks import views

    return views.bp
