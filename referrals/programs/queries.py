"""Reads of the program directory."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from referrals.extensions import db
from referrals.programs.models import Organization, Program


def directory() -> list[Program]:
    """Programs of active organizations, with their organization loaded (one query)."""
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
