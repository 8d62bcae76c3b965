"""The signed-in user's notifications: the list, and marking them read."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from referrals.access import staff
from referrals.enums import NotificationKind
from referrals.extensions import db
from referrals.notifications import queries, services
from referrals.notifications.forms import NotificationActionForm

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@login_required
def index() -> ResponseReturnValue:
    """The user's notifications, newest first."""
    page = queries.notification_page(
        staff(), after=request.args.get("after"), size=int(current_app.config["PAGE_SIZE"])
    )
    return render_template("notifications/index.html", page=page)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int) -> ResponseReturnValue:
    """Mark one notification read and open its referral."""
    if not NotificationActionForm().validate_on_submit():
        abort(400)
    user = staff()
    try:
        kind = services.mark_read(notification_id, user=user)
    except LookupError:
        abort(404)
    if kind is NotificationKind.ACCOUNT_WAITING:
        db.session.commit()
        return redirect(url_for("auth.confirmations"))
    if kind is NotificationKind.WEBHOOK_DISABLED:
        db.session.commit()
        return redirect(url_for("webhooks.index"))
    public_id = queries.referral_public_id(notification_id, user=user)
    db.session.commit()
    if public_id is None:
        return redirect(url_for("notifications.index"))
    # A literal path: /referrals/<public_id> is the referral page's stable URL (DESIGN §8).
    return redirect(f"/referrals/{public_id}")


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all() -> ResponseReturnValue:
    """Mark every notification read."""
    if not NotificationActionForm().validate_on_submit():
        abort(400)
    changed = services.mark_all_read(staff())
    db.session.commit()
    flash(_("%(n)d notifications marked read.", n=changed), "success")
    return redirect(url_for("notifications.index"))
