"""Verbs on programs: create, edit (every field), deactivate, reactivate."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from referrals.admin.common import (
    AdminInputError,
    DuplicateError,
    apply_changes,
    check_fields,
    flush_or_refuse,
    is_taken,
    unique_texts,
)
from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import Gender, ProgramStatus, ServiceType
from referrals.extensions import db
from referrals.programs.models import Organization, Program

PROGRAM_FIELDS = frozenset(
    {
        "organization_id",
        "name",
        "description",
        "service_types",
        "min_age",
        "max_age",
        "genders_served",
        "languages",
        "counties_served",
        "eligibility_description",
        "capacity_available",
        "capacity_maximum",
        "capacity_unit",
        "waitlist_accepted",
        "length_of_stay_days",
        "response_time_hours",
        "application_process",
        "required_documents",
        "status",
        "confidential_location",
    }
)
CAPACITY_FIELDS = frozenset({"capacity_available", "capacity_maximum"})
TEXT_FIELDS = (
    "name",
    "description",
    "eligibility_description",
    "capacity_unit",
    "application_process",
    "required_documents",
    "confidential_location",
)
DEFAULTS: dict[str, Any] = {
    "description": "",
    "service_types": [],
    "min_age": None,
    "max_age": None,
    "genders_served": [],
    "languages": [],
    "counties_served": [],
    "eligibility_description": "",
    "capacity_available": None,
    "capacity_maximum": None,
    "capacity_unit": "slot",
    "waitlist_accepted": False,
    "length_of_stay_days": None,
    "response_time_hours": 72,
    "application_process": "",
    "required_documents": "",
    "status": ProgramStatus.ACTIVE,
    "confidential_location": "",
}


def _codes(values: list[str], allowed: type[ServiceType] | type[Gender], field: str) -> list[str]:
    known = {member.value for member in allowed}
    codes = list(dict.fromkeys(str(value) for value in values))
    if any(code not in known for code in codes):
        raise AdminInputError(_("Choose from the listed values only."), field=field)
    return codes


def _check_numbers(v: dict[str, Any]) -> None:
    """The rules the database also enforces, plus the ones it cannot express."""
    for field in ("min_age", "max_age", "capacity_available", "capacity_maximum"):
        if v[field] is not None and v[field] < 0:
            raise AdminInputError(_("This number cannot be negative."), field=field)
    if v["min_age"] is not None and v["max_age"] is not None and v["max_age"] < v["min_age"]:
        raise AdminInputError(
            _("The maximum age cannot be below the minimum age."), field="max_age"
        )
    available, maximum = v["capacity_available"], v["capacity_maximum"]
    if available is not None and maximum is not None and available > maximum:
        raise AdminInputError(
            _("Open places cannot exceed the maximum number of places."),
            field="capacity_available",
        )
    hours = v["response_time_hours"]
    if not isinstance(hours, int) or not 1 <= hours <= 720:
        raise AdminInputError(
            _("Give a response time between 1 and 720 hours."), field="response_time_hours"
        )
    if v["length_of_stay_days"] is not None and v["length_of_stay_days"] < 1:
        raise AdminInputError(
            _("Give at least one day, or leave blank."), field="length_of_stay_days"
        )


def _clean(values: dict[str, Any], *, exclude_id: int | None) -> dict[str, Any]:
    """Normalized values, or AdminInputError naming the field at fault."""
    v = dict(values)
    for field in TEXT_FIELDS:
        v[field] = (v[field] or "").strip()
    v["capacity_unit"] = v["capacity_unit"] or "slot"
    if not v["name"] or len(v["name"]) > 200:
        raise AdminInputError(_("Give a name of at most 200 characters."), field="name")
    if len(v["capacity_unit"]) > 40:
        raise AdminInputError(_("Use at most 40 characters."), field="capacity_unit")
    v["service_types"] = _codes(v["service_types"], ServiceType, "service_types")
    if not v["service_types"]:
        raise AdminInputError(_("Choose at least one service type."), field="service_types")
    v["genders_served"] = _codes(v["genders_served"], Gender, "genders_served")
    v["languages"] = unique_texts(v["languages"])
    v["counties_served"] = unique_texts(v["counties_served"])
    v["waitlist_accepted"] = bool(v["waitlist_accepted"])
    try:
        v["status"] = ProgramStatus(v["status"])
    except ValueError:
        raise AdminInputError(_("Choose from the listed values only."), field="status") from None
    _check_numbers(v)
    org_id = v["organization_id"]
    org = db.session.get(Organization, org_id) if isinstance(org_id, int) else None
    if org is None:
        raise AdminInputError(_("Choose an organization."), field="organization_id")
    same_name = sa.and_(
        Program.organization_id == org.id, sa.func.lower(Program.name) == v["name"].lower()
    )
    if is_taken(Program.id, same_name, exclude_id=exclude_id):
        raise DuplicateError(_duplicate_message(), field="name")
    return v


def _duplicate_message() -> str:
    return _("This organization already has a program with this name.")


def create_program(*, by: User, organization_id: int, name: str, **fields: Any) -> Program:
    """Add a program; any field of Program may be given (see PROGRAM_FIELDS)."""
    check_fields(fields, PROGRAM_FIELDS)
    given = {"organization_id": organization_id, "name": name, **fields}
    values = _clean(DEFAULTS | given, exclude_id=None)
    program = Program(**values)
    if values["capacity_available"] is not None or values["capacity_maximum"] is not None:
        program.capacity_updated_at = utcnow()
    db.session.add(program)
    flush_or_refuse(_duplicate_message(), field="name")
    audit.record(
        "admin.program.created",
        actor=by,
        object_type="program",
        object_id=program.id,
        detail={"organization_id": program.organization_id, "status": program.status.value},
    )
    return program


def update_program(program: Program, *, by: User, **fields: Any) -> list[str]:
    """Change a program; returns the names of the fields that changed (never their values)."""
    check_fields(fields, PROGRAM_FIELDS)
    current = {name: getattr(program, name) for name in PROGRAM_FIELDS}
    values = _clean(current | fields, exclude_id=program.id)
    changed = apply_changes(program, values)
    if CAPACITY_FIELDS.intersection(changed):
        program.capacity_updated_at = utcnow()
    flush_or_refuse(_duplicate_message(), field="name")
    audit.record(
        "admin.program.updated",
        actor=by,
        object_type="program",
        object_id=program.id,
        detail={"fields": changed, "organization_id": program.organization_id},
    )
    return changed


def _set_status(program: Program, status: ProgramStatus, *, by: User, action: str) -> None:
    before = program.status
    program.status = status
    db.session.flush()
    audit.record(
        action,
        actor=by,
        object_type="program",
        object_id=program.id,
        detail={"from": before.value, "to": status.value},
    )


def deactivate_program(program: Program, *, by: User) -> None:
    """Mark a program inactive: it leaves matching; its row and history stay."""
    _set_status(program, ProgramStatus.INACTIVE, by=by, action="admin.program.deactivated")


def activate_program(program: Program, *, by: User) -> None:
    """Mark a program active again."""
    _set_status(program, ProgramStatus.ACTIVE, by=by, action="admin.program.activated")
