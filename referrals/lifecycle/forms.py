"""Forms for referral actions: every one carries the version the user saw."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from referrals.enums import Priority
from referrals.identifiers import NoIdentifiers
from referrals.lifecycle.transitions import Transition


class ActionForm(FlaskForm):
    """One transition: an optional coded reason, an optional note, a confirmation."""

    version = HiddenField(validators=[InputRequired()])
    reason = SelectField(_l("Reason"), choices=[], validators=[Optional()])
    note = TextAreaField(
        _l("Note"),
        description=_l("No names or other identifiers."),
        validators=[Optional(), Length(max=2000), NoIdentifiers()],
    )
    confirm = BooleanField(_l("Yes, I am sure: this cannot be undone."))
    submit = SubmitField(_l("Confirm"))

    def for_transition(self, transition: Transition) -> ActionForm:
        """Offer the reasons this transition takes (none for most)."""
        if transition.reasons is not None:
            from referrals.lifecycle.services import SYSTEM_CANCEL_REASONS

            self.reason.choices = [
                SelectChoice("", _l("Choose a reason")),
                *(
                    choice
                    for choice in transition.reasons.choices()
                    if choice.value not in SYSTEM_CANCEL_REASONS
                ),
            ]
        return self


class SendForm(FlaskForm):
    """Send a draft: the note to the partner and a priority."""

    version = HiddenField(validators=[InputRequired()])
    priority = SelectField(
        _l("Priority"), choices=Priority.choices(), default=Priority.ROUTINE.value
    )
    note = TextAreaField(
        _l("Note to the partner"),
        description=_l(
            "What the partner needs to know to respond. No names, phone numbers, dates of "
            "birth or addresses."
        ),
        validators=[Optional(), Length(max=2000), NoIdentifiers()],
    )
    submit = SubmitField(_l("Send referral"))
