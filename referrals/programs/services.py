"""Verbs on programs that partner staff perform themselves."""

from __future__ import annotations

from flask_babel import gettext as _

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.errors import InvalidInput, NotAllowed
from referrals.programs.models import Program


class CapacityError(InvalidInput):
    """A capacity figure that cannot be right; the message says why."""


def update_capacity(
    program: Program, *, by: User, available: int, maximum: int | None = None
) -> None:
    """Record how many places are open now; the time stamp shows how fresh the figure is."""
    if not program.can_update_capacity(by):
        raise NotAllowed("not allowed to update this program's capacity")
    limit = maximum if maximum is not None else program.capacity_maximum
    if available < 0:
        raise CapacityError(_("Open places cannot be negative."))
    if limit is not None and available > limit:
        raise CapacityError(
            _(
                "Open places (%(open)d) cannot exceed the maximum (%(max)d).",
                open=available,
                max=limit,
            )
        )
    before = program.capacity_available
    program.capacity_available = available
    if maximum is not None:
        program.capacity_maximum = maximum
    program.capacity_updated_at = utcnow()
    audit.record(
        "program.capacity_updated",
        actor=by,
        object_type="program",
        object_id=program.id,
        detail={"from": before, "to": available, "maximum": program.capacity_maximum},
    )
