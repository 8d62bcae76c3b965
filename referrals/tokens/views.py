"""The supervisor's API tokens page: make one (shown once), see them all, revoke one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals.access import role_required, staff
from referrals.db_types import utcnow
from referrals.enums import Role, TokenScope
from referrals.errors import InvalidInput, NotFound
from referrals.extensions import db
from referrals.tokens import services
from referrals.tokens.forms import NewTokenForm, RevokeTokenForm

bp = Blueprint("tokens", __name__)


def _page(
    form: NewTokenForm, *, secret: str | None = None, status: int = 200
) -> ResponseReturnValue:
    user = staff()
    return render_template(
        "tokens/index.html",
        form=form,
        revoke_form=RevokeTokenForm(formdata=None),
        tokens=services.tokens_of(user),
        may_make=services.may_hold_tokens(user),
        secret=secret,
        sides=services.SIDES,
        now=utcnow(),
    ), status


@bp.route("/account/api-tokens")
@role_required(Role.SUPERVISOR)
def index() -> ResponseReturnValue:
    """The organization's tokens, and the form to make one."""
    return _page(NewTokenForm(formdata=None).for_sides(services.sides_for(staff().organization)))


@bp.route("/account/api-tokens", methods=["POST"])
@role_required(Role.SUPERVISOR)
def create() -> ResponseReturnValue:
    """Make a token and show it once (answered here, not redirected: it is never stored)."""
    user = staff()
    if not services.may_hold_tokens(user):
        abort(403)
    form = NewTokenForm().for_sides(services.sides_for(user.organization))
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _token, secret = services.create_token(
            by=user,
            name=form.name.data or "",
            role=Role(form.role.data),
            scope=TokenScope(form.scope.data),
            days=int(form.days.data or 0),
        )
    except InvalidInput as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return _page(form, status=400)
    db.session.commit()
    flash(_("Token made. Copy it now: it will not be shown again."), "success")
    return _page(
        NewTokenForm(formdata=None).for_sides(services.sides_for(user.organization)), secret=secret
    )


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@role_required(Role.SUPERVISOR)
def revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one of the organization's tokens at once."""
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    try:
        token = services.revoke_token(token_id, by=staff())
    except NotFound:
        abort(404)
    db.session.commit()
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("tokens.index"))
