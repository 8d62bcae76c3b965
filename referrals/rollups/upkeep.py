"""Keeping the rollups in step with the referrals, in the transaction of each change.

Any flush that changes what a referral counts for (a lifecycle move, including the sweep's
and the API's; a referral written by the demo or a test; a consent recorded, revoked or
edited; a status change on the timeline) takes the referral's old rows away before the
flush and adds its new rows after it, on the flush's own connection. The rows are computed
by ``contributions.rows``, the statement the rebuild and the check use.

Statements that bypass the ORM (``sa.update(Referral)``) are not seen here: the ones the app
has change assignees and read receipts, which no rollup counts. Bulk loads (the benchmark's
COPY) run ``rebuild`` afterwards.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from referrals.intake.models import Consent
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.rollups.contributions import facts_select, rows
from referrals.rollups.tables import TABLES, count_columns, key_columns

# The referral columns some rollup reads; a change to any other (a note, an assignee, the
# version) moves no count.
COUNTED = frozenset(
    {
        "status",
        "sent_at",
        "responded_at",
        "accepted_at",
        "closed_at",
        "decline_reason",
        "outcome",
        "program_id",
        "receiving_organization_id",
        "sending_organization_id",
        "sent_by_id",
        "intake_id",
    }
)
PENDING = "rollups_pending"


def _changed(obj: Any, names: Collection[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _touched(session: Session) -> tuple[set[int], list[Referral], set[int]]:
    """Referral ids whose rows may change, new referrals, and intakes whose consents did."""
    ids: set[int] = set()
    new: list[Referral] = []
    intakes: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Referral):
            if obj.id is None:
                new.append(obj)
            elif obj in session.deleted or _changed(obj, COUNTED):
                ids.add(obj.id)
        elif isinstance(obj, ReferralEvent) and obj.to_status is not None:
            referral_id = obj.referral_id or (obj.referral.id if obj.referral else None)
            if referral_id is not None:
                ids.add(referral_id)
        elif isinstance(obj, Consent):
            intake_id = obj.intake_id or (obj.intake.id if obj.intake else None)
            if intake_id is not None:
                intakes.add(intake_id)
    return ids, new, intakes


@event.listens_for(Session, "before_flush")
def _take_away(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    # A flush that failed never reached after_flush; its transaction was rolled back.
    session.info.pop(PENDING, None)
    ids, new, intakes = _touched(session)
    if intakes:
        ids |= set(session.scalars(sa.select(Referral.id).where(Referral.intake_id.in_(intakes))))
    if ids:
        apply(session.connection(), ids, sign=-1)
    if ids or new:
        session.info[PENDING] = (ids, new)


@event.listens_for(Session, "after_flush")
def _add_back(session: Session, _context: UOWTransaction) -> None:
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    ids, new = pending
    ids = ids | {referral.id for referral in new if referral.id is not None}
    apply(session.connection(), ids, sign=1)


def apply(connection: sa.Connection, ids: Collection[int], *, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) these referrals' rows in every table."""
    if not ids:
        return
    dialect = connection.dialect.name
    for table in TABLES:
        keys = [c.name for c in key_columns(table)]
        counts = [c.name for c in count_columns(table)]
        found = connection.execute(rows(table, dialect, ids)).mappings().all()
        if not found:
            continue
        values = [
            {**{k: row[k] for k in keys}, **{c: sign * int(row[c]) for c in counts}}
            for row in found
        ]
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=keys,
                set_={c: table.c[c] + insert.excluded[c] for c in counts},
            ),
            values,
        )


def rebuild(connection: sa.Connection) -> None:
    """Empty the rollups and fill them from every referral.

    Each referral's facts (its days, durations, codes and consent's end) are worked out once
    into a temporary table, which the three period tables then group; the quarter table
    reads the timeline. At a few million referrals this is minutes, not hours.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # Room for the groupings in memory, for this transaction only.
        connection.execute(sa.text("SET LOCAL work_mem = '256MB'"))
    select = facts_select(dialect, None)
    facts = sa.Table(
        "rollup_facts",
        sa.MetaData(),
        *(sa.Column(c.name, c.type) for c in select.selected_columns),
        prefixes=["TEMPORARY"],
    )
    facts.create(connection)
    connection.execute(facts.insert().from_select([c.name for c in facts.columns], select))
    for table in TABLES:
        connection.execute(table.delete())
        # Written in key order (period first), so that a period's rows share pages and a
        # dashboard reads a few hundred pages rather than one per row.
        order: list[sa.ColumnElement[Any]] = [sa.literal_column(c.name) for c in key_columns(table)]
        stmt = rows(table, dialect, source=facts).order_by(*order)
        connection.execute(table.insert().from_select([c.name for c in table.columns], stmt))
    facts.drop(connection)


def differences(connection: sa.Connection, limit: int = 50) -> list[str]:
    """How the stored rollups differ from what the referrals give (empty when they agree)."""
    dialect = connection.dialect.name
    found: list[str] = []
    for table in TABLES:
        keys = [c.name for c in key_columns(table)]
        counts = [c.name for c in count_columns(table)]
        expected = _as_counter(connection.execute(rows(table, dialect)), keys, counts)
        stored = _as_counter(connection.execute(sa.select(table)), keys, counts)
        for key in sorted(set(expected) | set(stored), key=repr):
            if expected.get(key) != stored.get(key):
                found.append(
                    f"{table.name} {dict(zip(keys, key, strict=True))}: "
                    f"stored {stored.get(key)}, referrals give {expected.get(key)}"
                )
    return found[:limit] if limit else found


def _as_counter(result: Any, keys: list[str], counts: list[str]) -> dict[tuple, tuple]:
    """Rows by key, their counts as a tuple; rows that count nothing left out."""
    out: dict[tuple, tuple] = {}
    for row in result.mappings():
        values = tuple(int(row[c]) for c in counts)
        if any(values):
            out[tuple(row[k] for k in keys)] = values
    return out
