"""The one gate: who may see which intake and referral, and who may act on one.

Every read of client data goes through here: pages, lists, counts, exports, notifications,
the audit page and the sweep. The rules are SQL conditions (``visible_referrals``,
``visible_intakes``), so a record another organization may not see is never loaded at all;
the loaders (``referral_for``, ``intake_for``) fetch and authorize in one statement and
answer 404 otherwise, as flaskr's ``get_post(id, check_author=True)`` does. No other module
compares a referral's or an intake's organization with the user's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache, wraps
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.db_types import UtcDateTime, utcnow
from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake, consent_organizations
from referrals.lifecycle.models import Referral
from referrals.lifecycle.transitions import ROWS, SIDE_ROLES, TRANSITIONS, Side, Transition
from referrals.localtime import local_date
from referrals.postgresql import prepared
from referrals.programs.models import Organization, Program
from referrals.rollups import tables as rollups
from referrals.rollups.periods import day_number

F = TypeVar("F", bound=Callable[..., Any])

SENDER_ROLES = SIDE_ROLES[Side.SENDER]
RECEIVER_ROLES = SIDE_ROLES[Side.RECEIVER]
INTAKE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let in signed-in users with one of ``roles``; others get 403, anonymous users the login."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, login_required(wrapped))

    return decorator


def staff() -> User:
    """The signed-in user, typed (call only behind ``login_required``)."""
    return cast(User, current_user._get_current_object())


# What each role may use at all.


def sees_client_records(user: User) -> bool:
    """The two-person rule: an account an administrator created, reset or moved sees no
    intake or referral until it is confirmed (auth/confirmation.py)."""
    return not user.awaiting_confirmation


def lists_received(user: User) -> bool:
    """Whether the user may be shown referrals their organization received."""
    return user.role in RECEIVER_ROLES and sees_client_records(user)


def lists_sent(user: User) -> bool:
    """Whether the user may be shown referrals their organization sent."""
    return can_use_sent_list(user) and sees_client_records(user)


def can_manage_intakes(user: User) -> bool:
    """Caseworkers and supervisors of an organization that refers clients."""
    return user.role in INTAKE_ROLES and user.organization.refers


def can_use_inbox(user: User) -> bool:
    return user.role in RECEIVER_ROLES and user.organization.receives


def can_use_sent_list(user: User) -> bool:
    return user.role in SENDER_ROLES and user.organization.refers


def can_read_audit(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


# The consent rule, written once.


def consent_covers(intake_id: Any, organization_id: Any, moment: Any) -> sa.Select[Any]:
    """Active consents of the intake that name the organization, at ``moment``.

    The arguments are columns, values or bound parameters; callers take ``.exists()``.
    """
    return (
        sa.select(Consent.id)
        .join(consent_organizations, consent_organizations.c.consent_id == Consent.id)
        .where(
            Consent.intake_id == intake_id,
            consent_organizations.c.organization_id == organization_id,
            Consent.revoked_at.is_(None),
            Consent.given_at <= moment,
            Consent.expires_at > moment,
        )
    )


def receiver_covered(moment: Any, *, per_row: bool = False) -> sa.Exists:
    """An active consent of the referral's intake names its receiving organization.

    ``per_row`` keeps the check a per-row probe: PostgreSQL does not turn an EXISTS with an
    OFFSET into a join. A page of 50 lines wants exactly that (two index probes a line,
    stopped with the page); as a join, the lists' generic plan guessed few consents cover a
    referral and hashed all of an organization's consents for every page.
    """
    check = consent_covers(Referral.intake_id, Referral.receiving_organization_id, moment)
    if per_row:
        check = check.offset(sa.literal_column("0"))
    return check.exists()


def is_covered(intake_id: int, organization_id: int, moment: datetime) -> bool:
    """Whether an active consent of the intake names the organization now (one query)."""
    covered = consent_covers(intake_id, organization_id, moment).exists()
    return bool(db.session.scalar(sa.select(covered)))


# Which referrals and intakes a user may see.


def received_in(
    organization_id: Any, moment: Any, *, per_row: bool = False
) -> sa.ColumnElement[bool]:
    """Referrals an organization (an id, or a bound parameter) received: sent, and still
    covered by consent. ``per_row``: see ``receiver_covered``."""
    return sa.and_(
        Referral.receiving_organization_id == organization_id,
        Referral.status != ReferralStatus.DRAFT,
        receiver_covered(moment, per_row=per_row),
    )


def received_referrals(user: User, moment: datetime) -> sa.ColumnElement[bool]:
    """Referrals the user's organization received, while consent covers it."""
    if not lists_received(user):
        return sa.false()
    return received_in(user.organization_id, moment)


def sent_in(organization_id: Any) -> sa.ColumnElement[bool]:
    """Referrals an organization (an id, or a bound parameter) sent, drafts included."""
    return Referral.sending_organization_id == organization_id


def sent_referrals(user: User) -> sa.ColumnElement[bool]:
    """Referrals the user's organization sent (drafts included)."""
    if not lists_sent(user):
        return sa.false()
    return sent_in(user.organization_id)


def visible_referrals(user: User, moment: datetime) -> sa.ColumnElement[bool]:
    """Every referral the user may see now: sent by or received by their organization."""
    return _visible_in(user.organization_id, moment, lists_sent(user), lists_received(user))


def _visible_in(
    organization_id: Any, moment: Any, sends: bool, receives: bool
) -> sa.ColumnElement[bool]:
    """Referrals an organization (an id, or a bound parameter) sent, if ``sends``, or
    received, if ``receives``."""
    return sa.or_(
        sent_in(organization_id) if sends else sa.false(),
        received_in(organization_id, moment) if receives else sa.false(),
    )


# The same rules for the rollups (referrals/rollups): counts of referrals, never records.


def sent_rollups(user: User, rollup: sa.Table) -> sa.ColumnElement[bool]:
    """Rollup rows of referrals the user's organization sent (drafts included)."""
    if not lists_sent(user):
        return sa.false()
    return sa.and_(
        rollup.c.organization_id == user.organization_id,
        rollup.c.side.in_((rollups.SENT, rollups.BOTH)),
    )


def received_rollups(user: User, rollup: sa.Table, moment: datetime) -> sa.ColumnElement[bool]:
    """Rollup rows of referrals the user's organization received while consent covers it.

    Consent is kept in the rollups by the week it ends in (``consent_week``, a Monday), not
    its instant, so that the rows stay few: a row counts while that whole week is still
    ahead. The figures therefore stop counting a referral up to six days before its consent
    ends and the page closes to the partner, never after.
    """
    if not lists_received(user):
        return sa.false()
    conditions = [
        rollup.c.organization_id == user.organization_id,
        rollup.c.side.in_((rollups.RECEIVED, rollups.BOTH)),
        rollup.c.consent_week > day_number(local_date(moment)),
    ]
    if "status" in rollup.c:
        conditions.append(rollup.c.status != ReferralStatus.DRAFT.value)
    return sa.and_(*conditions)


def visible_intakes(user: User) -> sa.ColumnElement[bool]:
    """Intakes of the user's own organization, for those who manage intakes."""
    if not (can_manage_intakes(user) and sees_client_records(user)):
        return sa.false()
    return Intake.organization_id == user.organization_id


def visible_audit_events(user: User) -> sa.ColumnElement[bool]:
    """Admins see every event; a supervisor the events of their organization's staff."""
    if user.role == Role.ADMIN:
        return sa.true()
    if user.role == Role.SUPERVISOR and sees_client_records(user):
        return AuditEvent.actor_organization_id == user.organization_id
    return sa.false()


# Loaders that fetch and authorize in one statement.


_PUBLIC_ID = sa.bindparam("public_id", type_=sa.String())
_ORGANIZATION = sa.bindparam("organization_id", type_=sa.Integer())
_NOW = sa.bindparam("now", type_=UtcDateTime())


def _joined(shown: bool) -> list[ORMOption]:
    """The referral's program, intake, organizations and assignees, joined: every column,
    or (``shown``) only those the referral page shows or works with (the intake's county
    too, for the next matches of a referral declined for want of capacity). A column left
    out is loaded by itself if anything reads it."""

    def joined(relationship: Any, *columns: Any) -> ORMOption:
        load = joinedload(relationship)
        return load.load_only(*columns) if shown else load

    return [
        joined(Referral.program, Program.name),
        joined(
            Referral.intake,
            Intake.client_code,
            Intake.age_band,
            Intake.gender,
            Intake.languages,
            Intake.county,
            Intake.needs,
            Intake.urgency,
        ),
        joined(Referral.receiving_organization, Organization.name, Organization.phone),
        joined(Referral.sending_organization, Organization.name, Organization.phone),
        joined(Referral.suggested_program, Program.name),
        joined(Referral.sender_assignee, User.display_name, User.email),
        joined(Referral.receiver_assignee, User.display_name, User.email),
    ]


@cache  # one statement per shape: whether the user sees what it sent, what it received
def _referral_statement(sends: bool, receives: bool, shown: bool) -> sa.Select[Referral]:
    """The referral by its public id, if the organization may see it, with its program,
    intake, organizations and assignees (prepared: a lookup by a unique key)."""
    return prepared(
        sa.select(Referral)
        .where(Referral.public_id == _PUBLIC_ID, _visible_in(_ORGANIZATION, _NOW, sends, receives))
        .options(*_joined(shown))
    )


def referral_for(
    user: User, public_id: str, *also: ORMOption, shown_only: bool = False
) -> Referral:
    """The referral if the user's organization may see it now; otherwise 404. Loaded with
    its program, intake, organizations and assignees, and ``also`` (more loader options);
    ``shown_only``: of those, only what the referral page shows (its GET view: the joined
    rows were most of the page's columns)."""
    statement = _referral_statement(lists_sent(user), lists_received(user), shown_only)
    if also:
        statement = statement.options(*also)
    referral = db.session.scalar(
        statement,
        {"public_id": public_id.upper(), "organization_id": user.organization_id, "now": utcnow()},
    )
    if referral is None:
        abort(404)
    return referral


def intake_for(user: User, client_code: str) -> Intake:
    """The intake with this code if the user's organization holds it; otherwise 404."""
    intake = db.session.scalar(
        sa.select(Intake)
        .where(Intake.client_code == client_code.upper(), visible_intakes(user))
        .options(
            selectinload(Intake.consents).selectinload(Consent.organizations),
            joinedload(Intake.assignee),
        )
    )
    if intake is None:
        abort(404)
    return intake


# Who may act on a referral: the transition table's sides.


def is_sender(user: User, referral: Referral) -> bool:
    """Whether the user belongs to the organization that sent the referral."""
    return user.organization_id == referral.sending_organization_id


def is_receiver(user: User, referral: Referral) -> bool:
    """Whether the user belongs to the organization that received the referral."""
    return user.organization_id == referral.receiving_organization_id


def on_side(user: User, referral: Referral, side: Side) -> bool:
    """Whether the user has a role of ``side`` in that side's organization."""
    if user.role not in SIDE_ROLES.get(side, frozenset()):
        return False
    return is_receiver(user, referral) if side is Side.RECEIVER else is_sender(user, referral)


def may(user: User, action: str, referral: Referral) -> bool:
    """Whether the transition table lets this user take ``action`` on the referral now."""
    return any(transition.action == action for transition in actions_for(user, referral))


def actions_for(user: User, referral: Referral) -> list[Transition]:
    """The actions this user may take on this referral now, in table order (one row each)."""
    rows: dict[str, Transition] = {}
    for transition in TRANSITIONS:
        if referral.status in transition.sources and on_side(user, referral, transition.side):
            rows.setdefault(transition.action, transition)
    return list(rows.values())


def row_for(user: User, action: str, referral: Referral) -> Transition | None:
    """The row of ``action`` the user takes on this referral: their side's row open from its
    status. None when the user is on no side that takes it, or when from this status the
    action is another side's ("cancel" a requested referral: the sender's). Otherwise their
    side's first row, which then refuses the move for the status it is in."""
    rows = ROWS.get(action, ())
    mine = [row for row in rows if on_side(user, referral, row.side)]
    open_now = [row for row in rows if referral.status in row.sources]
    for row in mine:
        if row in open_now:
            return row
    return None if open_now or not mine else mine[0]


# Whom a referral's notifications may reach: staff who may see it on that side.


def receiving_staff(referral: Referral) -> sa.ColumnElement[bool]:
    """The receiving organization's staff who work its inbox (partners, supervisors)."""
    return staff_in(referral.receiving_organization_id, Side.RECEIVER)


def sending_staff(referral: Referral) -> sa.ColumnElement[bool]:
    """The sending organization's staff who send referrals (caseworkers, supervisors)."""
    return staff_in(referral.sending_organization_id, Side.SENDER)


def side_staff(referral: Referral, side: Side) -> sa.ColumnElement[bool]:
    """Who works the referral on one side: its organization's staff in that side's roles."""
    return receiving_staff(referral) if side is Side.RECEIVER else sending_staff(referral)


def staff_in(organization_id: Any, side: Side) -> sa.ColumnElement[bool]:
    """Staff of an organization (an id, or a bound parameter) who work referrals on ``side``
    (as ``side_staff``, when the organization is the referral's on that side)."""
    return sa.and_(
        User.organization_id == organization_id,
        User.role.in_(SIDE_ROLES[side]),
        User.awaiting_confirmation_since.is_(None),
    )


def sending_supervisors(referral: Referral) -> sa.ColumnElement[bool]:
    """The sending organization's supervisors (escalations)."""
    return sa.and_(
        User.organization_id == referral.sending_organization_id,
        User.role == Role.SUPERVISOR,
        User.awaiting_confirmation_since.is_(None),
    )
