"""The one-step capacity form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional


class CapacityForm(FlaskForm):
    available = IntegerField(
        _l("Open places now"), validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )
    maximum = IntegerField(
        _l("Maximum places"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    submit = SubmitField(_l("Update capacity"))
