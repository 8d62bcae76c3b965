"""Filters for the audit page (a GET form: nothing changes, no CSRF token)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from referrals.audit.catalogue import (
    ACTION_GROUPS,
    ACTION_LABELS,
    GROUP_LABELS,
    KNOWN_ACTIONS,
    OBJECT_LABELS,
)
from referrals.forms_common import with_blank

MIN_YEAR, MAX_YEAR = 2000, 2999


def _action_choices() -> list[SelectChoice]:
    groups = [
        SelectChoice(
            group,
            _l("%(group)s — every action", group=GROUP_LABELS.get(group, group)),  # type: ignore[arg-type]
        )
        for group in ACTION_GROUPS
    ]
    actions = [
        SelectChoice(action, ACTION_LABELS.get(action, action))  # type: ignore[arg-type]
        for action in KNOWN_ACTIONS
    ]
    return with_blank(_l("Any action"), [*groups, *actions])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=_action_choices(), validators=[Optional()])
    actor = SelectField(_l("Staff member"), validators=[Optional()])
    object_type = SelectField(
        _l("Object type"),
        choices=with_blank(
            _l("Any object"),
            [SelectChoice(code, label) for code, label in OBJECT_LABELS.items()],  # type: ignore[arg-type]
        ),
        validators=[Optional()],
    )
    object_id = StringField(_l("Object id"), validators=[Optional(), Length(max=64)])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def set_actors(self, actors: Sequence[tuple[int, str]]) -> None:
        """Offer only the staff whose events the viewer may see."""
        self.actor.choices = with_blank(
            _l("Anyone"), [SelectChoice(str(ident), label) for ident, label in actors]
        )

    def validate_object_id(self, field: StringField) -> None:
        # Events are indexed by (type, id): an id alone would scan the whole trail.
        if field.data and not self.object_type.data:
            raise ValidationError(_l("Choose the object type as well."))

    def validate_start(self, field: DateField) -> None:
        _sensible_year(field)

    def validate_end(self, field: DateField) -> None:
        _sensible_year(field)
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))


def _sensible_year(field: DateField) -> None:
    # Year 9999 parses as a date, but the day after it does not exist.
    if field.data and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(
            _l("Give a date between %(lo)d and %(hi)d.", lo=MIN_YEAR, hi=MAX_YEAR)
        )
