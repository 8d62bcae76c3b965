"""The language switch: for the signed-in user it is saved with the account."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from referrals.auth.views import safe_next
from referrals.extensions import db
from referrals.language.forms import LanguageForm
from referrals.language.selection import remember

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def switch() -> ResponseReturnValue:
    """Answer in the chosen language from now on, back on the page the switch was on."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    code = str(form.language.data)
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    response = redirect(safe_next(form.next.data) or url_for("dashboard.home"))
    return remember(response, code)
