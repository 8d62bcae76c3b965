"""What the admin services share: the refusal errors and small helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from referrals.errors import InvalidInput
from referrals.extensions import db


class AdminInputError(InvalidInput):
    """Input a service refuses; ``str(error)`` is for the user, ``field`` names the form field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DuplicateError(AdminInputError):
    """A name, slug or e-mail address that another row already uses."""


class SelfActionError(AdminInputError):
    """Something an administrator may not do to their own account or organization."""


def is_taken(
    id_column: InstrumentedAttribute[int],
    condition: sa.ColumnElement[bool],
    *,
    exclude_id: int | None = None,
) -> bool:
    """Whether another row (not ``exclude_id``) already meets ``condition``.

    A friendly early check; the unique constraints still decide races (``flush_or_refuse``).
    """
    query = sa.select(id_column).where(condition)
    if exclude_id is not None:
        query = query.where(id_column != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def flush_or_refuse(message: str, *, field: str) -> None:
    """Flush; a unique constraint lost to a concurrent request becomes a refusal, not a 500.

    The caller (the view) rolls the whole transaction back, so no half-written row remains.
    """
    try:
        db.session.flush()
    except IntegrityError as error:
        raise DuplicateError(message, field=field) from error


def check_fields(given: Iterable[str], allowed: frozenset[str]) -> None:
    """Reject keyword arguments a verb does not know (a programming error, not user input)."""
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(unknown)}")


def apply_changes(obj: object, values: Mapping[str, Any]) -> list[str]:
    """Set the attributes whose value differs; return their names, sorted."""
    changed = sorted(name for name, value in values.items() if getattr(obj, name) != value)
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def unique_texts(values: Iterable[str]) -> list[str]:
    """Trimmed, non-empty strings, each kept once whatever its case (first spelling wins)."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        text = " ".join(str(value).split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            result.append(text)
    return result
