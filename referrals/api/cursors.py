"""The API's page cursors: ``<microseconds since 1970>-<id>``, two numbers.

Any string of that shape names a position (so a well-formed cursor is never refused and
never restarts the list: a client looping on ``next_cursor`` always ends), and the shape
is in the OpenAPI document. The pages' lists keep their own cursors (pagination.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from referrals.pagination import encode_cursor, parse_cursor

PATTERN = r"^[0-9]{1,16}-[1-9][0-9]{0,8}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode(moment: datetime, ident: int) -> str:
    micros = (moment - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}-{ident}"


def decode(cursor: str | None) -> tuple[datetime, int] | None:
    """The position of a cursor of the documented shape (the schema refused any other)."""
    if not cursor:
        return None
    micros, _, ident = cursor.partition("-")
    return _EPOCH + timedelta(microseconds=int(micros)), int(ident)


def to_pages(cursor: str | None) -> str | None:
    """An API cursor as the pages' pagination cursor."""
    position = decode(cursor)
    return encode_cursor(*position) if position else None


def from_pages(cursor: str | None) -> str | None:
    """The pages' pagination cursor as an API cursor."""
    position = parse_cursor(cursor)
    return encode(*position) if position else None
