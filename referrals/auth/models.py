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
    # Two-step sign-in: the TOTP key (set once enrolment is confirmed) and the last time step
    # a code was accepted for, so each code works only once.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Bumped on logout, deactivation and password change: old sessions stop matching.
    session_version: Mapped[int] = mapped_column(default=1)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # "en" or "es", chosen with the language switch; None: the browser's Accept-Language.
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The two-person rule (access.py): an account an administrator created, reset or moved
    # sees no intake or referral until a supervisor of its organization confirms it (an
    # organization's first supervisor: another administrator). When that began, and which
    # administrator asked; both cleared by the confirmation.
    awaiting_confirmation_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmation_asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship(back_populates="users")

    @property
    def awaiting_confirmation(self) -> bool:
        return self.awaiting_confirmation_since is not None

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

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_secret is not None and self.mfa_enrolled_at is not None


class UserSession(Model):
    """A signed-in browser: the cookie carries a random token, the database its hash.

    Ending the row (logout, password change, deactivation, timeout) makes a copied cookie
    useless, which a cookie-only session cannot do.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """A one-use code for signing in when the authenticator is lost; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginThrottle(Model):
    """Failed sign-ins per e-mail address, shared by every worker process.

    Keyed by an HMAC of the address, whether or not an account has it, so a lockout
    does not tell anyone which addresses have accounts.
    """

    __tablename__ = "login_throttles"

    email_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
