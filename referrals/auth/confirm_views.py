"""The two-person rule's page: accounts waiting for this supervisor's (or administrator's)
confirmation before they may see client records."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals.access import role_required, staff
from referrals.auth import confirmation
from referrals.auth.forms import ConfirmAccountForm
from referrals.auth.models import User
from referrals.auth.views import bp
from referrals.enums import Role
from referrals.extensions import db


@bp.route("/account/confirmations")
@role_required(Role.SUPERVISOR, Role.ADMIN)
def confirmations() -> ResponseReturnValue:
    """The accounts this user may confirm now."""
    return render_template(
        "auth/confirmations.html",
        waiting=confirmation.waiting_for(staff()),
        form=ConfirmAccountForm(formdata=None),
    )


@bp.route("/account/confirmations/<int:user_id>", methods=["POST"])
@role_required(Role.SUPERVISOR, Role.ADMIN)
def confirm(user_id: int) -> ResponseReturnValue:
    """Confirm one waiting account (another organization's account does not exist here)."""
    by = staff()
    account = db.session.get(User, user_id)
    if account is None or account not in confirmation.waiting_for(by):
        abort(404)
    if not ConfirmAccountForm().validate_on_submit():
        abort(400)
    confirmation.confirm(account, by=by)
    db.session.commit()
    flash(
        _("%(name)s can now see your organization's records.", name=account.display_name), "success"
    )
    return redirect(url_for("auth.confirmations"))
