"""Keyset pagination on (created_at, id), newest first: page N costs what page 1 costs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


def encode_cursor(created_at: datetime, ident: int) -> str:
    """The position after a row, for the next page's ``?after=``."""
    return f"{created_at.isoformat()}_{ident}"


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The position a cursor names, or None for none or a mangled one (start at the top)."""
    if not cursor:
        return None
    stamp, _, ident = cursor.rpartition("_")
    try:
        moment, number = datetime.fromisoformat(stamp), int(ident)
        # Cursors we write carry a time zone; anything else was edited by hand.
        if moment.tzinfo is None or not 0 < number < 2**31:
            return None
        return moment.astimezone(UTC), number
    except (ValueError, OverflowError):
        return None


def older_than(created_at: Any, ident: Any, cursor: str | None) -> sa.ColumnElement[bool]:
    """The WHERE clause for rows after the cursor in (created_at desc, id desc) order."""
    position = parse_cursor(cursor)
    if position is None:
        return sa.true()
    stamp, number = position
    return sa.or_(created_at < stamp, sa.and_(created_at == stamp, ident < number))


def split_page(
    rows: Sequence[T], size: int, position: Callable[[T], tuple[datetime, int]]
) -> tuple[list[T], str | None]:
    """Rows fetched with ``limit(size + 1)`` → the page and the cursor of the next one."""
    page = list(rows[:size])
    if len(rows) <= size or not page:
        return page, None
    return page, encode_cursor(*position(page[-1]))
