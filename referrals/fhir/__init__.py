"""FHIR R4: referrals as SDOH Clinical Care referral Tasks and ServiceRequests."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The token-protected routes and the public CapabilityStatement."""
    from referrals.fhir import views

    app.register_blueprint(views.meta)
    app.register_blueprint(views.bp)
