"""Admin pages for staff accounts, including one-time passwords."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals.access import role_required, staff
from referrals.admin import queries, services
from referrals.admin.forms import ConfirmForm, UserForm
from referrals.admin.views import bp, form_status, refuse, run_action
from referrals.auth.models import User
from referrals.enums import Role
from referrals.extensions import db


def _values(form: UserForm) -> dict[str, Any]:
    return {name: form[name].data for name in UserForm.FIELDS}


def _show_password(user: User, password: str, *, created: bool) -> ResponseReturnValue:
    """The one page that shows a one-time password: rendered, never flashed, logged or cached.

    Rendering the POST response (instead of redirecting) keeps the password out of URLs,
    the session cookie and the flash store.
    """
    response = make_response(
        render_template(
            "admin/one_time_password.html", user=user, password=password, created=created
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/")
@role_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    """All staff accounts, active or not."""
    return render_template("admin/users.html", users=queries.users(), confirm=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user() -> ResponseReturnValue:
    """Open an account; its one-time password is shown once on the next page."""
    form = UserForm(organizations=queries.organization_choices())
    if form.validate_on_submit():
        try:
            user, password = services.create_user(by=staff(), **_values(form))
        except services.AdminInputError as error:
            refuse(form, error)
        else:
            db.session.commit()
            return _show_password(user, password, created=True)
    return render_template("admin/user_form.html", form=form, user=None), form_status(form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int) -> ResponseReturnValue:
    """Change an account's e-mail, name, role or organization."""
    user = queries.get_user_or_404(user_id)
    form = UserForm(
        obj=user, organizations=queries.organization_choices(keep_id=user.organization_id)
    )
    if form.validate_on_submit():
        try:
            services.update_user(user, by=staff(), **_values(form))
        except services.AdminInputError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Account %(email)s was saved.", email=user.email), "success")
            return redirect(url_for("admin.users"), code=303)
    return render_template(
        "admin/user_form.html", form=form, user=user, confirm=ConfirmForm()
    ), form_status(form)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_user(user_id: int) -> ResponseReturnValue:
    """Switch an account off; its open sessions end at once."""
    user = queries.get_user_or_404(user_id)
    return run_action(
        lambda: services.deactivate_user(user, by=staff()),
        done=_("Account %(email)s was deactivated.", email=user.email),
        target=url_for("admin.users"),
    )


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@role_required(Role.ADMIN)
def activate_user(user_id: int) -> ResponseReturnValue:
    """Switch an account back on."""
    user = queries.get_user_or_404(user_id)
    return run_action(
        lambda: services.activate_user(user, by=staff()),
        done=_("Account %(email)s was reactivated.", email=user.email),
        target=url_for("admin.users"),
    )


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@role_required(Role.ADMIN)
def reset_password(user_id: int) -> ResponseReturnValue:
    """Issue a new one-time password and end the account's sessions."""
    user = queries.get_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        password = services.reset_password(user, by=staff())
    except services.AdminInputError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("admin.edit_user", user_id=user_id), code=303)
    db.session.commit()
    return _show_password(user, password, created=False)


@bp.route("/users/<int:user_id>/reset-two-step", methods=["POST"])
@role_required(Role.ADMIN)
def reset_two_step(user_id: int) -> ResponseReturnValue:
    """For a lost phone: remove the account's two-step key so it can enrol again."""
    user = queries.get_user_or_404(user_id)
    return run_action(
        lambda: services.reset_two_step(user, by=staff()),
        done=_("Two-step sign-in of %(email)s was reset.", email=user.email),
        target=url_for("admin.edit_user", user_id=user_id),
    )
