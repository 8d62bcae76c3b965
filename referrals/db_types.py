"""Column types and helpers shared by the models."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no time zone, so values come back naive there; attaching UTC on the way
    out lets the same comparisons work on SQLite and PostgreSQL.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _in_utc(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """On PostgreSQL one check per value: connections read timestamps in UTC
        (postgresql.py), so psycopg returns them aware and in UTC already, and the
        decorator's two calls per value cost more than reading them (three per list row).
        A connection set to another zone still gets them converted."""
        if dialect.name == "postgresql":
            return _in_utc
        return super().result_processor(dialect, coltype)


def _in_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def code_enum(enum_class: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enum as its value in a VARCHAR (no native enum type to migrate later)."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


# Unambiguous characters only: no 0/O or 1/I/L, so codes survive being read aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(groups: int, size: int = 4) -> str:
    """Random groups of unambiguous characters joined by dashes, e.g. ``7F3Q-X2M9``."""
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(size)) for _ in range(groups)
    )


def new_public_id() -> str:
    """A referral's public id: 80 random bits, never sequential."""
    return random_code(groups=4)


def new_client_code() -> str:
    """A client code such as ``KC-7F3Q-X2M9``: random, never derived from personal data."""
    return "KC-" + random_code(groups=2)


# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonList = sa.JSON().with_variant(JSONB(), "postgresql")
