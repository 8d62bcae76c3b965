"""Reads for the admin pages: every row of the coalition, loaded without N+1 queries."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from referrals.auth.models import User
from referrals.extensions import db
from referrals.programs.models import Organization, Program


def organization_rows() -> list[tuple[Organization, int, int]]:
    """Every organization with its number of programs and of staff accounts, by name."""
    programs = (
        sa.select(sa.func.count(Program.id))
        .where(Program.organization_id == Organization.id)
        .correlate(Organization)
        .scalar_subquery()
    )
    users = (
        sa.select(sa.func.count(User.id))
        .where(User.organization_id == Organization.id)
        .correlate(Organization)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Organization, programs, users).order_by(Organization.name, Organization.id)
    )
    return [(org, int(n_programs), int(n_users)) for org, n_programs, n_users in rows]


def programs() -> list[Program]:
    """Every program with its organization (one query), by organization then name."""
    return list(
        db.session.scalars(
            sa.select(Program)
            .join(Program.organization)
            .options(joinedload(Program.organization))
            .order_by(Organization.name, Program.name, Program.id)
        )
    )


def users() -> list[User]:
    """Every staff account with its organization (one query), by organization then e-mail."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(User.organization)
            .options(joinedload(User.organization))
            .order_by(Organization.name, User.email, User.id)
        )
    )


def organization_choices(*, keep_id: int | None = None) -> list[tuple[int, str]]:
    """Active organizations for a select, plus ``keep_id`` (the current one) even if inactive."""
    condition: sa.ColumnElement[bool] = Organization.active.is_(True)
    if keep_id is not None:
        condition = sa.or_(condition, Organization.id == keep_id)
    rows = db.session.execute(
        sa.select(Organization.id, Organization.name).where(condition).order_by(Organization.name)
    )
    return [(org_id, name) for org_id, name in rows]


def get_organization_or_404(org_id: int) -> Organization:
    """Any organization, active or not."""
    return db.get_or_404(Organization, org_id)


def get_program_or_404(program_id: int) -> Program:
    """Any program, whatever its status or its organization's, with the organization loaded."""
    program = db.session.scalar(
        sa.select(Program).where(Program.id == program_id).options(joinedload(Program.organization))
    )
    if program is None:
        abort(404)
    return program


def get_user_or_404(user_id: int) -> User:
    """Any staff account, with its organization loaded."""
    user = db.session.scalar(
        sa.select(User).where(User.id == user_id).options(joinedload(User.organization))
    )
    if user is None:
        abort(404)
    return user
