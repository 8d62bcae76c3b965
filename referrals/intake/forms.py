"""Intake and consent forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from referrals.enums import AgeBand, Gender, Indicator, Priority, ServiceType, Urgency
from referrals.forms_common import MultiCheckboxField
from referrals.geography import county_choices, language_choices
from referrals.identifiers import NoIdentifiers


def _choose(choices: list[SelectChoice]) -> list[SelectChoice]:
    """Nothing preselected: a "Choose…" prompt that the field refuses as an answer (a
    preselected "Under 12" saved adults as minors)."""
    return [SelectChoice("", _l("Choose…")), *choices]


_REQUIRED = InputRequired(message=_l("Choose one."))


class IntakeForm(FlaskForm):
    age_band = SelectField(
        _l("Age band"), choices=_choose(AgeBand.choices()), default="", validators=[_REQUIRED]
    )
    gender = SelectField(
        _l("Gender"), choices=_choose(Gender.choices()), default="", validators=[_REQUIRED]
    )
    languages = MultiCheckboxField(
        _l("Languages spoken"),
        choices=language_choices(),
        validators=[DataRequired(message=_l("Choose at least one language."))],
    )
    county = SelectField(
        _l("County"), choices=_choose(county_choices()), default="", validators=[_REQUIRED]
    )
    needs = MultiCheckboxField(
        _l("Needs"),
        choices=ServiceType.choices(),
        validators=[DataRequired(message=_l("Choose at least one need."))],
    )
    urgency = RadioField(
        _l("Urgency"),
        choices=Urgency.choices(),
        default=Urgency.ROUTINE.value,
        validators=[InputRequired()],
    )
    indicators = MultiCheckboxField(
        _l("Trafficking indicators observed"), choices=Indicator.choices()
    )
    situation_note = TextAreaField(
        _l("Situation note"),
        description=_l(
            "No names, phone numbers, e-mail addresses, dates of birth or addresses: "
            "the client code stands for the client."
        ),
        validators=[Optional(), Length(max=4000), NoIdentifiers()],
    )
    submit = SubmitField(_l("Save intake"))


class ConsentForm(FlaskForm):
    organization_ids = MultiCheckboxField(
        _l("Organizations the client agrees to share this intake with"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one organization."))],
    )
    expires_on = DateField(_l("Consent expires on"), validators=[InputRequired()])
    written_confirmed = BooleanField(
        _l("The client gave written, informed consent, and a signed copy is kept on file."),
        validators=[DataRequired(message=_l("Consent must be written and informed."))],
    )
    guardian_consent = BooleanField(_l("A parent, guardian or legal representative also consented"))
    guardian_relationship = StringField(
        _l("Their role (for example: legal guardian, children's division, court)"),
        validators=[Optional(), Length(max=60), NoIdentifiers()],
    )
    submit = SubmitField(_l("Record consent"))


class ConfirmForm(FlaskForm):
    """A button that changes state: POST with a CSRF token, nothing else."""

    submit = SubmitField(_l("Confirm"))


class IntakeAssignForm(FlaskForm):
    """The caseworker who carries this client."""

    assignee = SelectField(_l("Assigned caseworker"), choices=[], validators=[InputRequired()])
    submit = SubmitField(_l("Assign"))


class ReferForm(FlaskForm):
    """Refer to a matched program: the draft is made and sent in one confirmed step."""

    priority = SelectField(_l("Priority"), choices=Priority.choices())
    note = TextAreaField(
        _l("Note to the partner"),
        description=_l(
            "What the partner needs to know to respond. No names, phone numbers, dates of "
            "birth or addresses."
        ),
        validators=[Optional(), Length(max=2000), NoIdentifiers()],
    )
    confirm = BooleanField(
        _l("Send this referral now"),
        validators=[DataRequired(message=_l("Tick the box to send the referral."))],
    )
    submit = SubmitField(_l("Refer"))


class ExtendConsentForm(FlaskForm):
    """Add an organization to what the client agreed to share with, for the same period."""

    organization_id = HiddenField(validators=[InputRequired()])
    agreed = BooleanField(
        _l("The client (and guardian, for a minor) agreed in writing to share with them too."),
        validators=[DataRequired(message=_l("Consent must be written and informed."))],
    )
    submit = SubmitField(_l("Extend consent"))
