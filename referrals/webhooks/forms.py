"""The supervisor's webhook forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, URLField
from wtforms.validators import DataRequired, Length


class NewWebhookForm(FlaskForm):
    url = URLField(
        _l("Address (https://)"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("Your system's address that receives the events."),
    )
    submit = SubmitField(_l("Register"))


class SwitchWebhookForm(FlaskForm):
    """Switching an endpoint off or on: a POST with a CSRF token."""

    submit = SubmitField(_l("Switch"))
