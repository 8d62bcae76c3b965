"""Organizations and their programs (Open Referral HSDS organization and service)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db_types import JsonList, UtcDateTime, code_enum, utcnow
from referrals.enums import ProgramStatus, Role
from referrals.extensions import Model


def new_hsds_id() -> str:
    """A random UUID (HSDS identifiers are UUIDs)."""
    return str(uuid.uuid4())


if TYPE_CHECKING:
    from referrals.auth.models import User


class Organization(Model):
    """A coalition member: it refers clients, receives referrals, or both."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Its id in Open Referral HSDS exchanges (hsds/): a UUID, kept across exports and imports.
    hsds_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_hsds_id)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    refers: Mapped[bool] = mapped_column(default=False)
    receives: Mapped[bool] = mapped_column(default=False)
    # An organization setting that requires MFA for every member (used by the security issue).
    require_mfa: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    programs: Mapped[list[Program]] = relationship(
        back_populates="organization", order_by="Program.name"
    )
    users: Mapped[list[User]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


class Program(Model):
    """A service an organization offers, with its eligibility and capacity."""

    __tablename__ = "programs"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name", name="uq_programs_organization_id_name"),
        sa.CheckConstraint("min_age IS NULL OR min_age >= 0", name="min_age_not_negative"),
        sa.CheckConstraint(
            "max_age IS NULL OR min_age IS NULL OR max_age >= min_age", name="age_range_ordered"
        ),
        sa.CheckConstraint(
            "capacity_available IS NULL OR capacity_available >= 0",
            name="capacity_available_not_negative",
        ),
        sa.CheckConstraint(
            "capacity_maximum IS NULL OR capacity_maximum >= 0",
            name="capacity_maximum_not_negative",
        ),
        sa.Index("ix_programs_status_organization_id", "status", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Its id as an HSDS service (hsds/): a UUID, kept across exports and imports.
    hsds_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_hsds_id)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Codes from referrals.enums.ServiceType
    service_types: Mapped[list[str]] = mapped_column(JsonList, default=list)

    # Eligibility (HSDS eligibility + service_area); empty lists mean "any".
    min_age: Mapped[int | None] = mapped_column(sa.Integer)
    max_age: Mapped[int | None] = mapped_column(sa.Integer)
    genders_served: Mapped[list[str]] = mapped_column(JsonList, default=list)
    languages: Mapped[list[str]] = mapped_column(JsonList, default=list)
    counties_served: Mapped[list[str]] = mapped_column(JsonList, default=list)
    eligibility_description: Mapped[str] = mapped_column(sa.Text, default="")

    # Capacity (HSDS service_capacity)
    capacity_available: Mapped[int | None] = mapped_column(sa.Integer)
    capacity_maximum: Mapped[int | None] = mapped_column(sa.Integer)
    capacity_unit: Mapped[str] = mapped_column(sa.String(40), default="slot")
    capacity_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    waitlist_accepted: Mapped[bool] = mapped_column(default=False)

    length_of_stay_days: Mapped[int | None] = mapped_column(sa.Integer)
    response_time_hours: Mapped[int] = mapped_column(sa.Integer, default=72)
    application_process: Mapped[str] = mapped_column(sa.Text, default="")
    required_documents: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ProgramStatus] = mapped_column(
        code_enum(ProgramStatus), default=ProgramStatus.ACTIVE
    )
    # Safe-house addresses: stored for staff of the program's own organization, never displayed.
    confidential_location: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="programs")

    def __repr__(self) -> str:
        return f"<Program {self.id} {self.name!r}>"

    @property
    def is_accepting(self) -> bool:
        return self.status == ProgramStatus.ACTIVE

    def can_update_capacity(self, user: User) -> bool:
        """Admins, and partner or supervisor staff of the program's own organization."""
        if not user.is_authenticated or not user.active:
            return False
        if user.role == Role.ADMIN:
            return True
        return user.organization_id == self.organization_id and user.role in {
            Role.PARTNER,
            Role.SUPERVISOR,
        }
