"""API tokens: an organization's key for a partner system, held by the supervisor who made it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db_types import UtcDateTime, code_enum, utcnow
from referrals.enums import Role, TokenScope
from referrals.extensions import Model

if TYPE_CHECKING:
    from referrals.auth.models import User
    from referrals.programs.models import Organization


class ApiToken(Model):
    """A bearer token: only the SHA-256 of its random value is kept (as for sessions).

    It acts as its organization with the rights of ``role`` (tokens/principal.py), within
    ``scope``, until it expires or is revoked; the supervisor who made it answers for it.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # What the token is for ("Case management system"): the list tells tokens apart by it.
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The token's first characters, shown in the list so a holder can tell which one it is.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    role: Mapped[Role] = mapped_column(code_enum(Role))
    scope: Mapped[TokenScope] = mapped_column(code_enum(TokenScope))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organization: Mapped[Organization] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}>"

    def is_live(self, moment: datetime) -> bool:
        """Neither revoked nor expired at ``moment``."""
        return self.revoked_at is None and moment < self.expires_at
