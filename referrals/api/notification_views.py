"""/api/v1/notifications: the notifications of the token's maker, newest first.

A notification names its referral only while this token may read that referral.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from referrals.api import cursors
from referrals.api.schemas import CursorArgs, NotificationPageSchema, NotificationSchema
from referrals.extensions import db
from referrals.notifications import queries, services
from referrals.tokens.guard import acting_user, protect

blp = protect(
    Blueprint(
        "api_notifications",
        __name__,
        url_prefix="/api/v1/notifications",
        description="Notifications of the supervisor who made the token.",
    )
)


@blp.route("/")
@blp.arguments(CursorArgs, location="query")
@blp.response(200, NotificationPageSchema)
def index(args: dict[str, Any]) -> queries.NotificationPage:
    """One page of notifications, newest first."""
    size = int(current_app.config["PAGE_SIZE"])
    after = cursors.to_pages(args.get("after"))
    page = queries.notification_page(acting_user(), after=after, size=size)
    return replace(page, next_cursor=cursors.from_pages(page.next_cursor))


@blp.route("/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
def read(notification_id: int) -> queries.NotificationRow:
    """Mark one notification read."""
    user = acting_user()
    try:
        services.mark_read(notification_id, user=user)
    except LookupError:
        raise NotFound() from None
    db.session.commit()
    row = queries.notification_row(notification_id, user=user)
    if row is None:
        raise NotFound()
    return row
