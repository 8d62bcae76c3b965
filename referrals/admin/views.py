"""Administration of organizations, programs and staff accounts (admins only)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from referrals.access import role_required
from referrals.enums import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    """The administration menu."""
    return render_template("home/admin.html")


@bp.route("/organizations/")
@role_required(Role.ADMIN)
def organizations() -> ResponseReturnValue:
    """All organizations."""
    return render_template("home/admin.html")


@bp.route("/programs/")
@role_required(Role.ADMIN)
def programs() -> ResponseReturnValue:
    """All programs."""
    return render_template("home/admin.html")


@bp.route("/users/")
@role_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    """All staff accounts."""
    return render_template("home/admin.html")
