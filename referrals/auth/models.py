"""Staff accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db_types import UtcDateTime, code_enum, utcnow
from referrals.enums import Role
from referrals.extensions import Model

if TYPE_CHECKING:
    from referrals.programs.models import Organization


class User(UserMixin, Model):
    """A member of staff; each belongs to exactly one organization."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(code_enum(Role))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Set for accounts created with a one-time password: changing it is the first step.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Bumped on logout, deactivation and password change: old sessions stop matching.
    session_version: Mapped[int] = mapped_column(default=1)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="users")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in or stay in
        return self.active and self.organization.active

    def get_id(self) -> str:
        # The session version in the id makes every older session cookie stale at once.
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
