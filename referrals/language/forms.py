"""The language switch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from referrals.language.selection import LANGUAGES


class LanguageForm(FlaskForm):
    """One button per language posts its code; ``next`` is the page to go back to."""

    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validators=[InputRequired()],
    )
    next = HiddenField(validators=[Length(max=2000)])
