"""What the HSDS routes and the export read: the directory of active organizations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from referrals.extensions import db
from referrals.programs.models import Organization, Program
from referrals.programs.queries import directory


def services() -> list[Program]:
    """Every program of an active organization, by organization and name (the directory)."""
    return directory()


def service(hsds_id: str) -> Program | None:
    """The program with this HSDS id, if its organization is active."""
    return db.session.scalar(
        sa.select(Program)
        .join(Program.organization)
        .where(Program.hsds_id == hsds_id, Organization.active.is_(True))
        .options(joinedload(Program.organization))
    )


def organizations() -> list[Organization]:
    """Every active organization that offers a program (an HSDS directory lists providers)."""
    offering = sa.select(Program.organization_id)
    return list(
        db.session.scalars(
            sa.select(Organization)
            .where(Organization.active.is_(True), Organization.id.in_(offering))
            .order_by(Organization.name)
        )
    )
