"""Verbs on notifications: raise them for referral events, read them, e-mail them.

The ``Notification`` rows double as the e-mail outbox: a row with ``emailed_at`` NULL still
has to be sent, so a mail server that is down delays e-mail and loses nothing.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_mail import Connection, Message
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased

from referrals.access import receiving_staff, sending_supervisors
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind
from referrals.extensions import db, mail
from referrals.lifecycle.effects import Party
from referrals.lifecycle.models import Notification, Referral
from referrals.lifecycle.transitions import Transition, transition_for
from referrals.notifications.emails import compose
from referrals.notifications.wording import About
from referrals.programs.models import Organization, Program

log = logging.getLogger(__name__)


def _raise(
    referral: Referral,
    kind: NotificationKind,
    who: sa.ColumnElement[bool],
    *,
    skip: User | None = None,
    action: str | None = None,
) -> list[Notification]:
    """One notification for each active user matching ``who``, found in one query."""
    stmt = sa.select(User.id).where(User.active.is_(True), who)
    if skip is not None:
        stmt = stmt.where(User.id != skip.id)
    notifications = [
        Notification(recipient_id=user_id, referral_id=referral.id, kind=kind, action=action)
        for user_id in db.session.scalars(stmt.order_by(User.id))
    ]
    if notifications:
        db.session.add_all(notifications)
        db.session.flush()
    return notifications


def notify_move(
    referral: Referral, transition: Transition, *, by: User | None
) -> list[Notification]:
    """Tell the other side of a referral what the move did, as its row says (never the actor)."""
    rule = transition.notify
    if rule is None or (rule.only_if_sent and referral.sent_at is None):
        return []
    if rule.party is Party.RECEIVING_STAFF:
        who = receiving_staff(referral)
    else:
        who = User.id == referral.sent_by_id
    return _raise(referral, rule.kind, who, skip=by, action=transition.action)


def notify_transition(referral: Referral, action: str, *, by: User | None) -> list[Notification]:
    """``notify_move`` for an action of the transition table, by its name."""
    transition = transition_for(action)
    if transition is None:
        raise ValueError(f"no notification rule for referral action {action!r}")
    return notify_move(referral, transition, by=by)


def notify_overdue(referral: Referral) -> list[Notification]:
    """Remind the receiving program's staff and the sender that a response is overdue."""
    who = sa.or_(receiving_staff(referral), User.id == referral.sent_by_id)
    return _raise(referral, NotificationKind.OVERDUE, who)


def notify_escalation(referral: Referral) -> list[Notification]:
    """Bring an unanswered referral to the sending organization's supervisors."""
    return _raise(referral, NotificationKind.ESCALATION, sending_supervisors(referral))


# The navigation's badge counts unread notifications up to here ("99+" beyond): a count
# that grows with a user's backlog would make every page slower as it grows.
UNREAD_COUNT_CAP = 100


def capped_unread_count(recipient_id: Any) -> sa.ScalarSelect[int]:
    """How many of a user's notifications are unread, counted up to ``UNREAD_COUNT_CAP``
    (on the (recipient, read_at) index); ``recipient_id`` may be a bound parameter."""
    unread = (
        sa.select(Notification.id)
        .where(Notification.recipient_id == recipient_id, Notification.read_at.is_(None))
        .limit(UNREAD_COUNT_CAP)
        .subquery()
    )
    return sa.select(sa.func.count()).select_from(unread).scalar_subquery()


# Built once: building, hashing and running a select through the ORM took three times as
# long as running this one on the connection.
_UNREAD = sa.select(capped_unread_count(sa.bindparam("recipient_id", type_=sa.Integer())))


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread, up to ``UNREAD_COUNT_CAP``. Signed-in
    requests count them with the session check (auth/sessions.py); this is for the rest."""
    db.session.flush()  # what the ORM's autoflush would do: count notifications just added
    return int(db.session.connection().scalar(_UNREAD, {"recipient_id": user.id}) or 0)


def mark_read(notification_id: int, *, user: User) -> NotificationKind:
    """Mark one of the user's own notifications read and say what it is about; anyone
    else's is a LookupError."""
    notification = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == user.id
        )
    )
    if notification is None:
        raise LookupError(notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification.kind


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(cast(CursorResult[object], result).rowcount)


def _pending(
    limit: int,
) -> list[tuple[Notification, str, str | None, str | None, About | None]]:
    """Unsent notifications of active recipients, oldest first, locked against a second
    sweep; each with the referral it names (code, program, organizations: no client detail)."""
    sender, receiver = aliased(Organization), aliased(Organization)
    stmt = (
        sa.select(
            Notification,
            User.email,
            User.locale,
            Referral.public_id,
            Program.name,
            sender.name,
            receiver.name,
        )
        .join(User, User.id == Notification.recipient_id)
        .outerjoin(Referral, Referral.id == Notification.referral_id)
        .outerjoin(Program, Program.id == Referral.program_id)
        .outerjoin(sender, sender.id == Referral.sending_organization_id)
        .outerjoin(receiver, receiver.id == Referral.receiving_organization_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True))
        .order_by(Notification.id)
        .limit(limit)
        # PostgreSQL: two sweeps at once take different rows; SQLite ignores this.
        .with_for_update(of=Notification, skip_locked=True)
    )
    return [
        (row[0], row[1], row[2], row[3], About(*row[3:]) if row[3] else None)
        for row in db.session.execute(stmt)
    ]


def _send_one(
    conn: Connection,
    notification: Notification,
    address: str,
    language: str | None,
    public_id: str | None,
    about: About | None,
) -> bool:
    # The e-mail goes out in the recipient's saved language (the sweep has no request).
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        email = compose(notification.kind, public_id, action=notification.action, about=about)
    try:
        conn.send(Message(subject=email.subject, recipients=[address], body=email.body))
    except smtplib.SMTPRecipientsRefused:
        # Only this address is refused: the rest of the batch still goes out.
        log.warning("notification %s: e-mail refused by the mail server", notification.id)
        return False
    notification.emailed_at = utcnow()
    return True


def deliver_pending_emails(*, limit: int = 200) -> int:
    """Send one e-mail per unsent notification; returns how many went out.

    An unreachable mail server is logged (notification ids only, no addresses, no content)
    and leaves the rows unsent for the next call. The caller commits.
    """
    batch = _pending(limit)
    if not batch:
        return 0
    sent = 0
    try:
        with mail.connect() as conn:  # one SMTP session for the whole batch
            for notification, address, language, public_id, about in batch:
                sent += _send_one(conn, notification, address, language, public_id, about)
    except OSError as error:  # smtplib's errors are OSErrors too
        left = [row[0].id for row in batch if row[0].emailed_at is None]
        log.warning(
            "mail server unavailable (%s); notifications %s left for the next run",
            type(error).__name__,
            left,
        )
    db.session.flush()
    return sent
