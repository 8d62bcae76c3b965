"""What the API reads and writes. Each field is listed: what is not here never leaves.

A referral is its summary as the pages show it to both sides (DESIGN §2.4, minimum
necessary): the client's code, age band, gender, languages, needs and urgency, and the note
written for the partner; never the intake's situation note or its risk indicators.
"""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import validate

from referrals.api import cursors
from referrals.enums import (
    AgeBand,
    CancelReason,
    DeclineReason,
    Gender,
    OutcomeCode,
    Priority,
    ProgramStatus,
    ReferralStatus,
    Urgency,
)
from referrals.lifecycle.transitions import TRANSITIONS
from referrals.programs.models import Program

F = ma.fields
# One name per action (an action may have a row per side, as "cancel" does).
ACTIONS = list(dict.fromkeys(transition.action for transition in TRANSITIONS))
PAGE_LIMIT = 100
# Moments a filter may name: the coalition's records all fall between them.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def _enum(enum_class: type, **kwargs: object) -> F.Enum:
    return F.Enum(enum_class, by_value=True, **kwargs)  # type: ignore[arg-type]


class NamedSchema(ma.Schema):
    id = F.Integer(required=True)
    name = F.String(required=True)


class ClientSchema(ma.Schema):
    """The client as a referral presents them: no intake note, no risk indicators."""

    code = F.String(attribute="client_code", required=True)
    age_band = _enum(AgeBand, required=True)
    gender = _enum(Gender, required=True)
    languages = F.List(F.String(), required=True)
    needs = F.List(F.String(), required=True, metadata={"description": "Service-type codes."})
    urgency = _enum(Urgency, required=True)


class EventSchema(ma.Schema):
    """One step of the timeline (by organization; staff are not named to systems)."""

    occurred_at = F.AwareDateTime(required=True)
    kind = F.String(required=True)
    from_status = _enum(ReferralStatus, allow_none=True, required=True)
    to_status = _enum(ReferralStatus, allow_none=True, required=True)
    reason = F.String(allow_none=True, required=True)
    note = F.String(required=True)
    organization = F.Function(
        lambda event: event.actor.organization.name if event.actor else None,
        allow_none=True,
        required=True,
        metadata={"type": "string"},
    )
    through_api = F.Function(
        lambda event: event.api_token_id is not None,
        required=True,
        metadata={"type": "boolean"},
    )


class ReferralSchema(ma.Schema):
    id = F.String(attribute="public_id", required=True)
    status = _enum(ReferralStatus, required=True)
    priority = _enum(Priority, required=True)
    version = F.Integer(
        required=True, metadata={"description": "Also the ETag; send it back in If-Match."}
    )
    program = F.Nested(NamedSchema, required=True)
    sending_organization = F.Nested(NamedSchema, required=True)
    receiving_organization = F.Nested(NamedSchema, required=True)
    client = F.Nested(ClientSchema, attribute="intake", required=True)
    note = F.String(required=True, metadata={"description": "Written for the partner."})
    created_at = F.AwareDateTime(required=True)
    updated_at = F.AwareDateTime(required=True)
    sent_at = F.AwareDateTime(allow_none=True, required=True)
    response_due_at = F.AwareDateTime(allow_none=True, required=True)
    responded_at = F.AwareDateTime(allow_none=True, required=True)
    accepted_at = F.AwareDateTime(allow_none=True, required=True)
    enrolled_at = F.AwareDateTime(allow_none=True, required=True)
    closed_at = F.AwareDateTime(allow_none=True, required=True)
    decline_reason = _enum(DeclineReason, allow_none=True, required=True)
    cancel_reason = _enum(CancelReason, allow_none=True, required=True)
    outcome = _enum(OutcomeCode, allow_none=True, required=True)


class ReferralDetailSchema(ReferralSchema):
    actions = F.List(
        F.String(),
        required=True,
        metadata={"description": "The actions this token may take on the referral now."},
    )
    timeline = F.List(F.Nested(EventSchema), attribute="events", required=True)


class ReferralPageSchema(ma.Schema):
    items = F.List(F.Nested(ReferralSchema), required=True)
    next_cursor = F.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as ``after`` for the next page; null on the last."},
    )


class ReferralListArgs(ma.Schema):
    status = _enum(ReferralStatus)
    updated_since = F.AwareDateTime(
        default_timezone=UTC,
        # Bounded: a moment near year 9999 in a zone west of UTC overflowed on its way to UTC.
        validate=validate.Range(min=EARLIEST, max=LATEST),
        metadata={"description": "Only referrals changed at or after this moment."},
    )
    after = F.String(
        validate=validate.Regexp(cursors.PATTERN),
        metadata={"description": "The next_cursor of the page before.", "pattern": cursors.PATTERN},
    )
    limit = F.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_LIMIT))


class ActionArgs(ma.Schema):
    action = F.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = F.String(
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={"description": "A coded reason, for actions that need one."},
    )
    note = F.String(load_default="", validate=validate.Length(max=4000))
    priority = _enum(Priority, allow_none=True, metadata={"description": "Sending only."})


class CapacitySchema(ma.Schema):
    available = F.Integer(allow_none=True, required=True)
    maximum = F.Integer(allow_none=True, required=True)
    unit = F.String(required=True)
    updated_at = F.AwareDateTime(allow_none=True, required=True)


class ProgramSchema(ma.Schema):
    """A program as the directory shows it (its confidential location is never included)."""

    id = F.Integer(required=True)
    name = F.String(required=True)
    description = F.String(required=True)
    organization = F.Nested(NamedSchema, required=True)
    status = _enum(ProgramStatus, required=True)
    service_types = F.List(F.String(), required=True)
    min_age = F.Integer(allow_none=True, required=True)
    max_age = F.Integer(allow_none=True, required=True)
    genders_served = F.List(F.String(), required=True)
    languages = F.List(F.String(), required=True)
    counties_served = F.List(F.String(), required=True)
    eligibility_description = F.String(required=True)
    capacity = F.Nested(CapacitySchema, required=True)
    waitlist_accepted = F.Boolean(required=True)
    length_of_stay_days = F.Integer(allow_none=True, required=True)
    response_time_hours = F.Integer(required=True)
    application_process = F.String(required=True)
    required_documents = F.String(required=True)

    @ma.pre_dump
    def _with_capacity(self, program: Program, **kwargs: object) -> dict[str, object]:
        """The four capacity columns as one object; every other field read as named."""
        fields = {name: getattr(program, name) for name in self.fields if name != "capacity"}
        fields["capacity"] = {
            "available": program.capacity_available,
            "maximum": program.capacity_maximum,
            "unit": program.capacity_unit,
            "updated_at": program.capacity_updated_at,
        }
        return fields


class CapacityArgs(ma.Schema):
    available = F.Integer(required=True, validate=validate.Range(min=0, max=100_000))
    maximum = F.Integer(allow_none=True, validate=validate.Range(min=0, max=100_000))


class NotificationSchema(ma.Schema):
    id = F.Integer(required=True)
    kind = F.String(required=True)
    created_at = F.AwareDateTime(required=True)
    read_at = F.AwareDateTime(allow_none=True, required=True)
    referral_id = F.String(
        attribute="public_id",
        allow_none=True,
        required=True,
        metadata={"description": "The referral, while this token may read it."},
    )


class NotificationPageSchema(ma.Schema):
    items = F.List(F.Nested(NotificationSchema), attribute="rows", required=True)
    next_cursor = F.String(allow_none=True, required=True)


class CursorArgs(ma.Schema):
    after = F.String(
        validate=validate.Regexp(cursors.PATTERN),
        metadata={"description": "The next_cursor of the page before.", "pattern": cursors.PATTERN},
    )


class MessageSchema(ma.Schema):
    """One message of a referral's thread (by organization; staff are not named to systems)."""

    id = F.Integer(required=True)
    created_at = F.AwareDateTime(required=True)
    organization = F.Function(
        lambda message: message.author.organization.name,
        required=True,
        metadata={"type": "string"},
    )
    body = F.String(required=True)


class AssigneeArgs(ma.Schema):
    assignee_id = F.Integer(
        required=True,
        allow_none=True,
        strict=True,
        metadata={"description": "One of your organization's active staff, or null for nobody."},
    )


class AssigneeSchema(ma.Schema):
    side = F.String(metadata={"description": "Your side of the referral: sender or receiver."})
    assignee_id = F.Integer(allow_none=True)


class MessageArgs(ma.Schema):
    body = F.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Checked for identifiers, as on the pages."},
    )
