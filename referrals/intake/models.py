"""Anonymized intakes and the consent that lets them be shared."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db_types import JsonList, UtcDateTime, code_enum, new_client_code, utcnow
from referrals.enums import AgeBand, Gender, Urgency
from referrals.extensions import Model

if TYPE_CHECKING:
    from referrals.auth.models import User
    from referrals.programs.models import Organization


class Intake(Model):
    """One client's needs, with no personal identifiers: a random code stands for them."""

    __tablename__ = "intakes"
    __table_args__ = (
        sa.Index(
            "ix_intakes_organization_id_is_open_created_at",
            "organization_id",
            "is_open",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_code: Mapped[str] = mapped_column(sa.String(20), unique=True, default=new_client_code)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The caseworker who carries this client (the author at first).
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    age_band: Mapped[AgeBand] = mapped_column(code_enum(AgeBand))
    gender: Mapped[Gender] = mapped_column(code_enum(Gender))
    languages: Mapped[list[str]] = mapped_column(JsonList, default=list)
    county: Mapped[str] = mapped_column(sa.String(80))
    needs: Mapped[list[str]] = mapped_column(JsonList, default=list)
    urgency: Mapped[Urgency] = mapped_column(code_enum(Urgency), default=Urgency.ROUTINE)
    indicators: Mapped[list[str]] = mapped_column(JsonList, default=list)
    # Checked for identifiers before it is saved; purged by retention after closure.
    situation_note: Mapped[str] = mapped_column(sa.Text, default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    consents: Mapped[list[Consent]] = relationship(
        back_populates="intake", order_by="Consent.given_at.desc()"
    )

    def __repr__(self) -> str:
        return f"<Intake {self.client_code}>"


consent_organizations = sa.Table(
    "consent_organizations",
    Model.metadata,
    sa.Column("consent_id", sa.ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organizations.id"), primary_key=True),
)


class Consent(Model):
    """Written, time-limited consent to share an intake with the organizations it names."""

    __tablename__ = "consents"
    __table_args__ = (sa.CheckConstraint("expires_at > given_at", name="expires_after_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(sa.ForeignKey("intakes.id"), index=True)
    method: Mapped[str] = mapped_column(sa.String(20), default="written")
    given_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    guardian_consent: Mapped[bool] = mapped_column(default=False)
    guardian_relationship: Mapped[str] = mapped_column(sa.String(60), default="")

    intake: Mapped[Intake] = relationship(back_populates="consents")
    organizations: Mapped[list[Organization]] = relationship(secondary=consent_organizations)
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])

    def is_active_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and self.given_at <= moment < self.expires_at

    def covers(self, organization_id: int, moment: datetime) -> bool:
        return self.is_active_at(moment) and any(
            org.id == organization_id for org in self.organizations
        )
