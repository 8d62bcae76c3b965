"""Reads of intakes and consent, scoped in SQL to the viewer's organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.intake.services import can_manage_intakes
from referrals.programs.models import Organization


def get_intake_for(user: User, client_code: str) -> Intake:
    """The intake with this code if it belongs to the user's organization; otherwise 404."""
    if not can_manage_intakes(user):
        abort(404)
    intake = db.session.scalar(
        sa.select(Intake)
        .where(
            Intake.client_code == client_code.upper(),
            Intake.organization_id == user.organization_id,
        )
        .options(selectinload(Intake.consents).selectinload(Consent.organizations))
    )
    if intake is None:
        abort(404)
    return intake


@dataclass(frozen=True)
class IntakePage:
    rows: list[Intake]
    next_cursor: str | None


def _cursor(intake: Intake) -> str:
    return f"{intake.created_at.isoformat()}_{intake.id}"


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    stamp, _, ident = cursor.rpartition("_")
    try:
        return datetime.fromisoformat(stamp), int(ident)
    except ValueError:
        return None  # a mangled cursor just starts from the top


def intake_page(user: User, *, is_open: bool, after: str | None, size: int) -> IntakePage:
    """One page of the organization's intakes, newest first, by keyset (no OFFSET)."""
    stmt = (
        sa.select(Intake)
        .where(Intake.organization_id == user.organization_id, Intake.is_open.is_(is_open))
        .order_by(Intake.created_at.desc(), Intake.id.desc())
        .limit(size + 1)
    )
    position = _parse_cursor(after)
    if position is not None:
        stamp, ident = position
        stmt = stmt.where(
            sa.or_(
                Intake.created_at < stamp, sa.and_(Intake.created_at == stamp, Intake.id < ident)
            )
        )
    rows = list(db.session.scalars(stmt))
    more = len(rows) > size
    rows = rows[:size]
    return IntakePage(rows=rows, next_cursor=_cursor(rows[-1]) if more and rows else None)


def receiving_organizations() -> list[Organization]:
    """Organizations a consent may name: active and receiving referrals."""
    return list(
        db.session.scalars(
            sa.select(Organization)
            .where(Organization.active.is_(True), Organization.receives.is_(True))
            .order_by(Organization.name)
        )
    )


@dataclass(frozen=True)
class ConsentState:
    """What the intake page shows at a glance."""

    active: list[Consent]
    covered_names: list[str]
    expires_at: datetime | None

    @property
    def has_consent(self) -> bool:
        return bool(self.active)


def consent_state(intake: Intake, moment: datetime | None = None) -> ConsentState:
    """Active consents (already loaded with the intake) and whom they cover."""
    now = moment or utcnow()
    active = [consent for consent in intake.consents if consent.is_active_at(now)]
    names = sorted({org.name for consent in active for org in consent.organizations})
    expiry = min((consent.expires_at for consent in active), default=None)
    return ConsentState(active=active, covered_names=names, expires_at=expiry)
