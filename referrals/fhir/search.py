"""GET /fhir/Task?owner=&status=&_lastUpdated=: the referrals the token may see, as a
searchset Bundle, through access.py, paged by keyset (``_cursor`` in the next link)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import BadRequest

from referrals import access
from referrals.api import cursors
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.fhir import codes
from referrals.fhir.resources import task
from referrals.lifecycle.models import Referral

MAX_COUNT = 100
_PREFIXES: dict[str, Callable[[Any, Any], Any]] = {
    "ge": operator.ge,
    "gt": operator.gt,
    "le": operator.le,
    "lt": operator.lt,
}


def _refuse(message: str) -> BadRequest:
    return BadRequest(description=message)


def _owner(value: str) -> sa.ColumnElement[bool]:
    ident = value.removeprefix("Organization/")
    if not ident.isdigit() or len(ident) > 9:
        raise _refuse(_("owner is an Organization reference, such as Organization/12."))
    return Referral.receiving_organization_id == int(ident)


def _status(value: str) -> sa.ColumnElement[bool]:
    wanted = [codes.FROM_TASK_STATUS.get(code) for code in value.split(",")]
    if None in wanted:
        raise _refuse(_("status is one of the Task status codes."))
    return Referral.status.in_(wanted)


def _last_updated(value: str) -> sa.ColumnElement[bool]:
    compare = _PREFIXES.get(value[:2])
    try:
        moment = datetime.fromisoformat(value[2:]) if compare else None
    except ValueError:
        moment = None
    if compare is None or moment is None:
        raise _refuse(_("_lastUpdated takes ge, gt, le or lt and a date, such as ge2026-01-01."))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return compare(Referral.updated_at, moment)  # type: ignore[no-any-return]


def _count() -> int:
    value = request.args.get("_count", "50")
    if not value.isdigit() or not 1 <= int(value) <= MAX_COUNT:
        raise _refuse(_("_count is a number from 1 to %(n)d.", n=MAX_COUNT))
    return int(value)


def _cursor() -> tuple[datetime, int] | None:
    value = request.args.get("_cursor")
    if value is None:
        return None
    if not re.fullmatch(cursors.PATTERN, value):
        raise _refuse(_("_cursor is the one the previous page's next link gave."))
    return cursors.decode(value)


def search_tasks(user: User) -> dict[str, Any]:
    """A searchset Bundle of the Tasks the user may see that match the parameters."""
    conditions = [access.visible_referrals(user, utcnow())]
    for name, build in (("owner", _owner), ("status", _status), ("_lastUpdated", _last_updated)):
        conditions.extend(build(value) for value in request.args.getlist(name))
    count = _count()
    position = _cursor()
    if position is not None:
        moment, ident = position
        conditions.append(
            sa.or_(
                Referral.updated_at > moment,
                sa.and_(Referral.updated_at == moment, Referral.id > ident),
            )
        )
    rows = list(
        db.session.scalars(
            sa.select(Referral)
            .where(*conditions)
            .options(
                joinedload(Referral.intake),
                joinedload(Referral.sending_organization),
                joinedload(Referral.receiving_organization),
            )
            .order_by(Referral.updated_at, Referral.id)
            .limit(count + 1)
        ).unique()
    )
    return _bundle(rows[:count], rows[count - 1] if len(rows) > count else None)


def _bundle(rows: list[Referral], last: Referral | None) -> dict[str, Any]:
    base = current_app.config["BASE_URL"].rstrip("/")
    links = [{"relation": "self", "url": request.url}]
    if last is not None:
        args: dict[str, Any] = request.args.to_dict(flat=False)
        args["_cursor"] = [cursors.encode(last.updated_at, last.id)]
        links.append(
            {"relation": "next", "url": url_for("fhir.search_tasks", _external=True, **args)}
        )
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}/fhir/Task/{referral.public_id}",
                "resource": task(referral),
                "search": {"mode": "match"},
            }
            for referral in rows
        ],
    }
