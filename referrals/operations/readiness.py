"""What /readyz checks, in order: the database answers, its schema is at the code's
migration head, and the e-mail outbox is moving.

Each check is one short statement; none reads client data. The migration head of the code
is read from the scripts once per process (they change only with a deploy) and kept on the
app; the database's revision is read at every check, as ``flask db current`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.lifecycle.models import Notification

_HEADS = "referrals_migration_heads"


@dataclass(frozen=True)
class NotReady:
    """The first check that failed, and why (for the operator: no data, no secrets)."""

    check: str
    reason: str


def first_problem() -> NotReady | None:
    """None when the app may take traffic; otherwise what is wrong."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        cause = type(getattr(error, "orig", None) or error).__name__
        return NotReady("database", _("The database does not answer (%(cause)s).", cause=cause))
    return _migrations_problem() or _outbox_problem()


def code_heads() -> frozenset[str]:
    """The migration heads of the deployed scripts (Flask-Migrate's alembic configuration)."""
    heads = current_app.extensions.get(_HEADS)
    if heads is None:
        settings = current_app.extensions["migrate"]
        config = settings.migrate.get_config(settings.directory)
        heads = frozenset(ScriptDirectory.from_config(config).get_heads())
        current_app.extensions[_HEADS] = heads
    return frozenset(heads)


def database_heads() -> frozenset[str]:
    """The revisions the database's ``alembic_version`` table records (none: never migrated)."""
    context = MigrationContext.configure(db.session.connection())
    return frozenset(context.get_current_heads())


def _migrations_problem() -> NotReady | None:
    wanted, found = code_heads(), database_heads()
    if wanted == found:
        return None
    return NotReady(
        "migrations",
        _(
            "The database schema is at %(found)s; this code needs %(wanted)s. "
            "Run flask db upgrade.",
            found=", ".join(sorted(found)) or _("no revision"),
            wanted=", ".join(sorted(wanted)),
        ),
    )


def _outbox_problem() -> NotReady | None:
    """The oldest notification still to be e-mailed, if it waited past the threshold."""
    minutes = int(current_app.config["READYZ_OUTBOX_MAX_MINUTES"])
    if minutes <= 0:
        return None
    # Over the unsent rows only (a partial index): a backlog, never the history.
    oldest = db.session.scalar(
        sa.select(sa.func.min(Notification.created_at))
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True))
    )
    if oldest is None or utcnow() - oldest <= timedelta(minutes=minutes):
        return None
    waited = int((utcnow() - oldest).total_seconds() // 60)
    return NotReady(
        "outbox",
        _(
            "The oldest e-mail still to send has waited %(waited)d minutes (more than "
            "%(limit)d): is flask sweep running, and does the mail server answer?",
            waited=waited,
            limit=minutes,
        ),
    )
