"""The home page by role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from referrals.access import staff
from referrals.dashboard import queries
from referrals.enums import ReferralStatus, Role

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def home() -> ResponseReturnValue:
    """Each role's starting page."""
    user = staff()
    if user.role == Role.ADMIN:
        return render_template("home/admin.html")
    if user.role == Role.PARTNER:
        counts = queries.referral_counts_by_status(user, side="received")
        return render_template(
            "home/partner.html",
            counts=counts,
            statuses=ReferralStatus,
            mine_received=queries.assigned_open_count(user, side="received"),
        )
    sent = queries.referral_counts_by_status(user, side="sent")
    template = "home/supervisor.html" if user.role == Role.SUPERVISOR else "home/caseworker.html"
    received = (
        queries.referral_counts_by_status(user, side="received")
        if user.role == Role.SUPERVISOR
        else {}
    )
    return render_template(
        template,
        sent=sent,
        received=received,
        open_intakes=queries.open_intake_count(user),
        statuses=ReferralStatus,
        mine_sent=queries.assigned_open_count(user, side="sent"),
        mine_received=(
            queries.assigned_open_count(user, side="received")
            if user.role == Role.SUPERVISOR
            else None
        ),
    )
