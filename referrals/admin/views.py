"""Administration of organizations, programs and staff accounts (admins only).

This module holds the blueprint and what its views share; the pages for each kind of
record live in ``org_views``, ``program_views`` and ``user_views`` (the package registers
them).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from referrals.access import role_required
from referrals.admin.common import AdminInputError
from referrals.admin.forms import ConfirmForm
from referrals.enums import Role
from referrals.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    """The administration menu."""
    return render_template("home/admin.html")


def refuse(form: FlaskForm, error: AdminInputError) -> None:
    """Undo the request's changes and show the refusal on its field (or above the form)."""
    db.session.rollback()
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def form_status(form: FlaskForm) -> int:
    """200 for a fresh form, 400 for one sent back with errors."""
    return 400 if form.is_submitted() else 200


def run_action(action: Callable[[], object], *, done: str, target: str) -> ResponseReturnValue:
    """A POST button: check the CSRF token, run the verb, commit, say so, go to ``target``."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
    except AdminInputError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(target, code=303)
