"""Forms for referral actions: every one carries the version the user saw."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from referrals.enums import Priority
from referrals.identifiers import NoIdentifiers
from referrals.lifecycle.transitions import SYSTEM_CANCEL_REASONS, Transition


def _version_field() -> HiddenField:
    """The version the user saw. Labelled (a hidden input shows no label): without one,
    WTForms translates a label from the field's name and loads its own catalog to do it,
    from disk, once per request."""
    return HiddenField(label="", validators=[InputRequired()])


class ActionForm(FlaskForm):
    """One transition: an optional coded reason, an optional note, a confirmation."""

    version = _version_field()
    reason = SelectField(_l("Reason"), choices=[], validators=[Optional()])
    note = TextAreaField(
        _l("Note"),
        description=_l("No names or other identifiers."),
        validators=[Optional(), Length(max=2000), NoIdentifiers()],
    )
    until = DateField(_l("Expected to go on by"), validators=[Optional()])
    suggested_program = SelectField(_l("A program that may fit instead"), validators=[Optional()])
    confirm = BooleanField(_l("Yes, I am sure: this cannot be undone."))
    submit = SubmitField(_l("Confirm"))

    def for_transition(
        self, transition: Transition, suggestions: list[SelectChoice] | None = None
    ) -> ActionForm:
        """Offer the reasons this transition takes (none for most), and the programs a
        receiver may suggest when it declines."""
        self.suggested_program.choices = [
            SelectChoice("", _l("No suggestion")),
            *(suggestions or []),
        ]
        if transition.reasons is not None:
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

    version = _version_field()
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


class MessageForm(FlaskForm):
    """A message to the other organization on the referral's thread."""

    body = TextAreaField(
        _l("Message"),
        description=_l("Seen by both organizations. No names or other identifiers."),
        validators=[InputRequired(), Length(max=2000), NoIdentifiers()],
    )
    submit = SubmitField(_l("Send message"))


class AssignForm(FlaskForm):
    """Who works the referral on the user's side ("" gives it back to the organization)."""

    assignee = SelectField(_l("Assigned to"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Assign"))

    def offering(self, staff: list[tuple[int, str]]) -> AssignForm:
        self.assignee.choices = [
            SelectChoice("", _l("Nobody (the whole team)")),
            *(SelectChoice(str(ident), name) for ident, name in staff),
        ]
        return self


class ForwardForm(FlaskForm):
    """The receiver routes the referral to another of its own programs."""

    version = _version_field()
    program = SelectField(_l("Forward to"), choices=[], validators=[InputRequired()])
    note = TextAreaField(
        _l("Note"),
        description=_l("No names or other identifiers."),
        validators=[Optional(), Length(max=2000), NoIdentifiers()],
    )
    submit = SubmitField(_l("Forward"))
