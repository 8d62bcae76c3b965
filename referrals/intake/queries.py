"""Reads of intakes and consent, scoped in SQL to the viewer's organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from referrals.access import visible_intakes
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.pagination import older_than, split_page
from referrals.programs.models import Organization


@dataclass(frozen=True)
class IntakePage:
    rows: list[Intake]
    next_cursor: str | None


def intake_page(user: User, *, is_open: bool, after: str | None, size: int) -> IntakePage:
    """One page of the organization's intakes, newest first, by keyset (no OFFSET)."""
    stmt = (
        sa.select(Intake)
        .where(visible_intakes(user), Intake.is_open.is_(is_open))
        .where(older_than(Intake.created_at, Intake.id, after))
        .order_by(Intake.created_at.desc(), Intake.id.desc())
        .limit(size + 1)
    )
    rows, cursor = split_page(
        list(db.session.scalars(stmt)), size, lambda row: (row.created_at, row.id)
    )
    return IntakePage(rows=rows, next_cursor=cursor)


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
    covered_ids: frozenset[int] = frozenset()

    @property
    def has_consent(self) -> bool:
        return bool(self.active)


def consent_state(intake: Intake, moment: datetime | None = None) -> ConsentState:
    """Active consents (already loaded with the intake) and whom they cover."""
    now = moment or utcnow()
    active = [consent for consent in intake.consents if consent.is_active_at(now)]
    names = sorted({org.name for consent in active for org in consent.organizations})
    ids = frozenset(org.id for consent in active for org in consent.organizations)
    expiry = min((consent.expires_at for consent in active), default=None)
    return ConsentState(active=active, covered_names=names, expires_at=expiry, covered_ids=ids)
