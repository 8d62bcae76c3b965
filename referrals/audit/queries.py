"""Reads of the audit trail, scoped in SQL: supervisors see their own organization's staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from referrals.access import visible_audit_events
from referrals.audit import words
from referrals.audit.catalogue import action_label
from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.enums import Role
from referrals.extensions import db
from referrals.localtime import day_end, day_start
from referrals.pagination import older_than, split_page
from referrals.programs.models import Organization


@dataclass(frozen=True)
class AuditFilters:
    """``action`` is an exact action, or a group such as "referral" (its every action)."""

    action: str | None = None
    actor_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    start: date | None = None
    end: date | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        if self.action:
            group, dot, _rest = self.action.partition(".")
            if dot:
                conditions.append(AuditEvent.action == self.action)
            else:
                conditions.append(
                    sa.or_(
                        AuditEvent.action == group,
                        AuditEvent.action.startswith(f"{group}.", autoescape=True),
                    )
                )
        if self.actor_id is not None:
            conditions.append(AuditEvent.actor_id == self.actor_id)
        if self.object_type:
            conditions.append(AuditEvent.object_type == self.object_type)
        if self.object_id:
            conditions.append(AuditEvent.object_id == self.object_id)
        if self.start is not None:
            conditions.append(AuditEvent.occurred_at >= day_start(self.start))
        if self.end is not None:
            # The end date counts whole: everything before the coalition's next midnight.
            conditions.append(AuditEvent.occurred_at < day_end(self.end))
        return conditions


@dataclass(frozen=True)
class AuditRow:
    """One event with the names of its actor and the actor's organization at the time, and
    what it did, to what, in words (audit/words.py)."""

    event: AuditEvent
    actor_name: str | None
    organization_name: str | None
    action: str = ""
    object: str = ""
    fields: tuple[words.Field, ...] = ()


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    next_cursor: str | None


def audit_page(user: User, filters: AuditFilters, *, after: str | None, size: int) -> AuditPage:
    """Newest first by keyset on (occurred_at, id), actor names joined in: one statement."""
    stmt = (
        sa.select(AuditEvent, User.display_name, Organization.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Organization, Organization.id == AuditEvent.actor_organization_id)
        .where(visible_audit_events(user), *filters.where())
        .where(older_than(AuditEvent.occurred_at, AuditEvent.id, after))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(size + 1)
    )
    found = list(db.session.execute(stmt))
    page, cursor = split_page(found, size, lambda row: (row[0].occurred_at, row[0].id))
    names = words.names_for([event for event, _name, _org in page])
    rows = [
        AuditRow(
            event,
            name,
            org,
            action=action_label(event.action),
            object=words.object_words(event, names),
            fields=tuple(words.detail_fields(event.detail, names)),
        )
        for event, name, org in page
    ]
    return AuditPage(rows=rows, next_cursor=cursor)


def actors_in_scope(user: User) -> list[tuple[int, str]]:
    """The staff whose events this user may see, as (id, "name · organization")."""
    stmt = (
        sa.select(User.id, User.display_name, Organization.name)
        .join(Organization, Organization.id == User.organization_id)
        .order_by(Organization.name, User.display_name, User.id)
    )
    if user.role != Role.ADMIN:
        stmt = stmt.where(User.organization_id == user.organization_id)
    return [(ident, f"{name} · {org}") for ident, name, org in db.session.execute(stmt)]
