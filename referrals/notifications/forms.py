"""Forms of the notifications area."""

from __future__ import annotations

from flask_wtf import FlaskForm


class NotificationActionForm(FlaskForm):
    """An empty form: marking read is a POST that carries only the CSRF token."""
