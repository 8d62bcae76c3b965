"""The one-step capacity form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from referrals.enums import Gender, ServiceType
from referrals.forms_common import with_blank
from referrals.geography import county_choices, language_choices


class CapacityForm(FlaskForm):
    available = IntegerField(
        _l("Open places now"), validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )
    maximum = IntegerField(
        _l("Maximum places"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    submit = SubmitField(_l("Update capacity"))


class DirectoryFilterForm(FlaskForm):
    """Filters for the program directory (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    service = SelectField(
        _l("Service"),
        choices=with_blank(_l("Any service"), ServiceType.choices()),
        validators=[Optional()],
    )
    age = IntegerField(_l("Client age"), validators=[Optional(), NumberRange(min=0, max=120)])
    gender = SelectField(
        _l("Gender"),
        choices=with_blank(_l("Any gender"), Gender.choices()),
        validators=[Optional()],
    )
    language = SelectField(
        _l("Language"),
        choices=with_blank(_l("Any language"), language_choices()),
        validators=[Optional()],
    )
    county = SelectField(
        _l("County"),
        choices=with_blank(_l("Any county"), county_choices()),
        validators=[Optional()],
    )
    open_only = BooleanField(_l("Open places now"))
