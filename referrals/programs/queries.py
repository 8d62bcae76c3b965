"""Reads of the program directory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from referrals.enums import ProgramStatus
from referrals.extensions import db
from referrals.programs.models import Organization, Program


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is narrowed to; None or empty means any."""

    service: str | None = None
    age: int | None = None
    gender: str | None = None
    language: str | None = None
    county: str | None = None
    open_only: bool = False

    def admits(self, program: Program) -> bool:
        """Whether a program passes every filter (empty eligibility lists mean "any")."""
        if self.service and self.service not in program.service_types:
            return False
        if self.age is not None and not (
            (program.min_age is None or program.min_age <= self.age)
            and (program.max_age is None or self.age <= program.max_age)
        ):
            return False
        if self.gender and program.genders_served and self.gender not in program.genders_served:
            return False
        if self.language and self.language not in program.languages:
            return False
        if self.county and program.counties_served and self.county not in program.counties_served:
            return False
        return not self.open_only or (program.capacity_available or 0) > 0


def directory(filters: DirectoryFilters | None = None) -> list[Program]:
    """Programs of active organizations that pass the filters (one query).

    A coalition lists tens to hundreds of programs, so the JSON list filters run in Python
    over one indexed query instead of database-specific JSON operators.
    """
    wanted = filters or DirectoryFilters()
    return [program for program in _all_programs() if wanted.admits(program)]


def _all_programs() -> list[Program]:
    return list(
        db.session.scalars(
            sa.select(Program)
            .join(Program.organization)
            .where(Organization.active.is_(True))
            .options(joinedload(Program.organization))
            .order_by(Organization.name, Program.name)
        )
    )


def get_program_or_404(program_id: int) -> Program:
    """A program of an active organization; program descriptions are public to all staff."""
    program = db.session.scalar(
        sa.select(Program)
        .join(Program.organization)
        .where(Program.id == program_id, Organization.active.is_(True))
        .options(joinedload(Program.organization))
    )
    if program is None:
        abort(404)
    return program


def choosable_programs(*, but: Any) -> sa.Select[int, str, str, int]:
    """Programs taking referrals but ``but`` (an id, or a bound parameter): id, name,
    organization name and id, in the order of the choices (organization, then program)."""
    return (
        sa.select(Program.id, Program.name, Organization.name, Program.organization_id)
        .join(Organization, Organization.id == Program.organization_id)
        .where(
            Program.status == ProgramStatus.ACTIVE,
            Organization.active.is_(True),
            Organization.receives.is_(True),
            Program.id != but,
        )
        .order_by(Organization.name, Program.name)
    )


def program_choice(name: str, organization: str) -> str:
    """A program as a form choice shows it: "Program · Organization"."""
    return f"{name} · {organization}"


def program_choices(*, organization_id: int | None = None, but: int) -> list[SelectChoice]:
    """Programs taking referrals (of one organization, if given) but ``but``, as form choices
    (one query)."""
    stmt = choosable_programs(but=but)
    if organization_id is not None:
        stmt = stmt.where(Program.organization_id == organization_id)
    return [
        SelectChoice(str(ident), program_choice(name, org))
        for ident, name, org, _org_id in db.session.execute(stmt)
    ]
