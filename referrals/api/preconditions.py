"""``If-Match`` on a referral's version: a client acts on the state it read, or is told.

The ETag of a referral is its version, quoted (a strong validator: the version changes with
every change of state). Missing → 428; anything but the current version → 412.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def required_version(current: int) -> int:
    """The version the request's If-Match names, if it is the current one."""
    if not request.headers.get("If-Match"):
        raise PreconditionRequired(
            description=_("Send If-Match with the referral's ETag (read the referral first).")
        )
    tags = request.if_match
    if tags.star_tag or not tags.contains(str(current)):
        raise stale()
    return current


def stale() -> HTTPException:
    return PreconditionFailed(
        description=_(
            "The referral changed since you read it (its ETag is no longer current): "
            "read it again, then decide."
        )
    )
