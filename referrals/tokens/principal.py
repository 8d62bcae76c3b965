"""Who a token-authenticated request acts as.

A token acts as its organization with the rights of the token's role (tokens/services.py
SIDES), answered for by the supervisor who made it: the timeline and the audit trail name
that supervisor (and the token). access.py and the lifecycle and program services read a
user's id, role, organization, organization_id, awaiting_confirmation, active and
is_authenticated; the principal carries exactly those, so every rule the pages follow
applies to the token unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from referrals.auth.models import User
from referrals.enums import Role, TokenScope
from referrals.programs.models import Organization
from referrals.tokens.models import ApiToken


@dataclass(frozen=True)
class TokenPrincipal:
    """The token's organization, role and scope; ``id`` is its maker's user id."""

    id: int
    role: Role
    organization_id: int
    organization: Organization
    token_id: int
    token_name: str
    scope: TokenScope
    is_authenticated: bool = True
    active: bool = True
    # A token works only while its maker is confirmed (tokens/services.live_token).
    awaiting_confirmation: bool = False

    @classmethod
    def of(cls, token: ApiToken) -> TokenPrincipal:
        return cls(
            id=token.created_by_id,
            role=token.role,
            organization_id=token.organization_id,
            organization=token.organization,
            token_id=token.id,
            token_name=token.name,
            scope=token.scope,
        )

    def as_user(self) -> User:
        """The principal where access.py or a service expects a user (the attributes they
        read are the ones above; tests/test_api_tokens.py walks every one through them)."""
        return cast(User, self)
