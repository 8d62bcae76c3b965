"""Forms of the admin area; choices are filled per request so labels follow the locale."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange
from wtforms.validators import Optional as Blank

from referrals.admin.org_services import ORGANIZATION_FIELDS
from referrals.admin.program_services import PROGRAM_FIELDS
from referrals.admin.user_services import USER_FIELDS
from referrals.enums import Gender, ProgramStatus, Role, ServiceType
from referrals.forms_common import MultiCheckboxField
from referrals.geography import COUNTIES, LANGUAGES, county_choices, language_choices

_AGE = _l("Give an age from 0 to 120, or leave blank.")
_PLACES = _l("Give a number from 0 to 100000, or leave blank.")
_DAYS = _l("Give a number of days from 1 to 3650, or leave blank.")
_HOURS = _l("Give a response time between 1 and 720 hours.")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class WriteOnlyTextAreaField(TextAreaField):
    """Takes a value but never renders one back, not even the one just submitted."""

    def _value(self) -> str:
        return ""


class ConfirmForm(FlaskForm):
    """An empty form: a POST button (deactivate, reactivate, reset) with its CSRF token."""


class OrganizationForm(FlaskForm):
    FIELDS = tuple(sorted(ORGANIZATION_FIELDS))

    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=80)],
        description=_l("Lower-case letters, digits and dashes, e.g. safe-haven-kc."),
    )
    description = TextAreaField(_l("Description"), filters=[_strip])
    phone = StringField(_l("Phone"), filters=[_strip], validators=[Length(max=40)])
    website = URLField(
        _l("Website"),
        filters=[_strip],
        validators=[
            Blank(),
            URL(message=_l("Give a web address starting with https:// or http://.")),
            Length(max=300),
        ],
    )
    refers = BooleanField(_l("Refers clients to partners"))
    receives = BooleanField(_l("Receives referrals"))
    require_mfa = BooleanField(_l("Require two-step sign-in for every member"))
    submit = SubmitField(_l("Save"))


class ProgramForm(FlaskForm):
    # Form field names match the service's keyword arguments, so a refusal lands on its field.
    # The confidential location has a write-only field of its own (new_confidential_location).
    FIELDS = tuple(sorted(PROGRAM_FIELDS - {"confidential_location"}))

    organization_id = SelectField(_l("Organization"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), filters=[_strip])
    service_types = MultiCheckboxField(_l("Services"))
    min_age = IntegerField(
        _l("Minimum age"), validators=[Blank(), NumberRange(min=0, max=120, message=_AGE)]
    )
    max_age = IntegerField(
        _l("Maximum age"), validators=[Blank(), NumberRange(min=0, max=120, message=_AGE)]
    )
    genders_served = MultiCheckboxField(
        _l("Genders served"), description=_l("Tick none to serve everyone.")
    )
    # The same list as the intake form's: matching compares them exactly, so a typo typed
    # here would silently break it.
    languages = MultiCheckboxField(_l("Languages"))
    # Checkboxes, not comma-separated text: county names contain a comma ("Jackson County,
    # MO"), and matching compares them with the intake's county exactly.
    counties_served = MultiCheckboxField(
        _l("Counties served"), description=_l("Tick none to serve any county.")
    )
    eligibility_description = TextAreaField(_l("Eligibility details"), filters=[_strip])
    capacity_available = IntegerField(
        _l("Open places now"), validators=[Blank(), NumberRange(min=0, max=100000, message=_PLACES)]
    )
    capacity_maximum = IntegerField(
        _l("Maximum places"), validators=[Blank(), NumberRange(min=0, max=100000, message=_PLACES)]
    )
    capacity_unit = StringField(
        _l("Unit of capacity"), filters=[_strip], default="slot", validators=[Length(max=40)]
    )
    waitlist_accepted = BooleanField(_l("Keeps a waitlist"))
    length_of_stay_days = IntegerField(
        _l("Length of stay (days)"),
        validators=[Blank(), NumberRange(min=1, max=3650, message=_DAYS)],
    )
    response_time_hours = IntegerField(
        _l("Answers referrals within (hours)"),
        default=72,
        validators=[InputRequired(), NumberRange(min=1, max=720, message=_HOURS)],
    )
    application_process = TextAreaField(_l("How to apply"), filters=[_strip])
    required_documents = TextAreaField(_l("Required documents"), filters=[_strip])
    status = SelectField(_l("Status"), default=ProgramStatus.ACTIVE.value)
    # Not named like the model column: filling the form from a Program must never load it.
    new_confidential_location = WriteOnlyTextAreaField(
        _l("Confidential location"),
        filters=[_strip],
        description=_l("Never displayed. Leave blank to keep the stored value."),
    )
    clear_confidential_location = BooleanField(_l("Remove the stored confidential location"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id.choices = organizations
        self.service_types.choices = ServiceType.choices()
        self.genders_served.choices = Gender.choices()
        self.status.choices = ProgramStatus.choices()
        # A county stored before the list existed stays offered, so saving keeps it.
        stored = list(getattr(kwargs.get("obj"), "counties_served", None) or [])
        self.counties_served.choices = county_choices(
            [*COUNTIES, *(county for county in stored if county not in COUNTIES)]
        )
        spoken = list(getattr(kwargs.get("obj"), "languages", None) or [])
        self.languages.choices = language_choices(
            [*LANGUAGES, *(language for language in spoken if language not in LANGUAGES)]
        )


class UserForm(FlaskForm):
    FIELDS = tuple(sorted(USER_FIELDS))

    email = EmailField(
        _l("E-mail"), filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    display_name = StringField(
        _l("Display name"), filters=[_strip], validators=[DataRequired(), Length(max=120)]
    )
    role = SelectField(_l("Role"), validators=[InputRequired()])
    organization_id = SelectField(_l("Organization"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()
        self.organization_id.choices = organizations
