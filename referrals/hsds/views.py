"""/hsds: the directory as Open Referral HSDS 3.0 (its API's services and organizations).

Behind the API's token door: the directory is the coalition's, shared with its members'
systems (a 211 gets a token from a member organization)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, NotFound

from referrals.hsds import mapping, queries
from referrals.tokens.guard import protect

bp = protect(Blueprint("hsds", __name__, url_prefix="/hsds"))
T = TypeVar("T")
MAX_PER_PAGE = 100


def _number(name: str, default: int, largest: int) -> int:
    value = request.args.get(name, str(default))
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= largest:
        raise BadRequest(
            description=_("%(name)s is a number from 1 to %(n)d.", name=name, n=largest)
        )
    return int(value)


def page_of(rows: Sequence[T], render: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """One page in HSDS's Page shape (total_items, page_number, ... and contents)."""
    size = _number("per_page", 50, MAX_PER_PAGE)
    total_pages = max(1, math.ceil(len(rows) / size))
    number = _number("page", 1, 10**6)
    contents = [render(row) for row in rows[(number - 1) * size : number * size]]
    return {
        "total_items": len(rows),
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


@bp.route("/services")
def services() -> ResponseReturnValue:
    """The services (programs), their one-to-one fields and organization, paged."""

    def summary(program: Any) -> dict[str, Any]:
        return {
            **mapping.service_summary(program),
            "organization": mapping.organization(program.organization),
        }

    return jsonify(page_of(queries.services(), summary))


@bp.route("/services/<hsds_id>")
def service(hsds_id: str) -> ResponseReturnValue:
    """One service in full, with its organization."""
    program = queries.service(hsds_id)
    if program is None:
        raise NotFound()
    return jsonify(mapping.service(program))


@bp.route("/organizations")
def organizations() -> ResponseReturnValue:
    """The organizations that offer services, paged."""
    return jsonify(page_of(queries.organizations(), mapping.organization))
