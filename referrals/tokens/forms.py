"""The supervisor's forms for API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from referrals.enums import Role, TokenScope
from referrals.identifiers import NoIdentifiers
from referrals.tokens.services import LIFETIMES, SIDES


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("What is it for?"),
        validators=[DataRequired(), Length(max=80), NoIdentifiers()],
        description=_l("For example: our case management system."),
    )
    role = RadioField(_l("Which referrals"), validators=[DataRequired()])
    scope = RadioField(
        _l("What it may do"), choices=TokenScope.choices(), validators=[DataRequired()]
    )
    days = SelectField(
        _l("Expires after"),
        choices=[SelectChoice(str(days), _l("%(n)d days", n=days)) for days in LIFETIMES],
        default="90",
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Make the token"))

    def for_sides(self, sides: list[Role]) -> NewTokenForm:
        """Offer only the sides the organization works on."""
        self.role.choices = [SelectChoice(role.value, SIDES[role]) for role in sides]  # type: ignore[misc]
        return self


class RevokeTokenForm(FlaskForm):
    """Revoking a token: a POST with a CSRF token."""

    submit = SubmitField(_l("Revoke"))
