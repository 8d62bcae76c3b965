"""Sign in, sign out, change password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from referrals.access import staff
from referrals.audit import services as audit
from referrals.auth import services
from referrals.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from referrals.extensions import db

bp = Blueprint("auth", __name__)

# Endpoints a user who must change a one-time password may still reach.
_ALLOWED_BEFORE_PASSWORD_CHANGE = {
    "auth.change_password",
    "auth.logout",
    "static",
    "dashboard.healthz",
}


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: an off-site ``next`` would hand the user to a phishing page."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.before_app_request
def require_password_change() -> ResponseReturnValue | None:
    """Hold users with a one-time password on the change-password page."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _ALLOWED_BEFORE_PASSWORD_CHANGE
        and not (request.endpoint or "").startswith("bootstrap.")
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign a member of staff in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(email=form.email.data or "", password=form.password.data or "")
        db.session.commit()
        if user is None:
            flash(_("Incorrect e-mail or password, or the account is not active."), "danger")
            return render_template("auth/login.html", form=form), 200
        # A fresh session at sign-in: nothing from before (or planted) carries over.
        session.clear()
        login_user(user)
        session.permanent = True
        if user.must_change_password:
            flash(_("Please choose your own password before you continue."), "info")
            return redirect(url_for("auth.change_password"))
        return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Sign out and make the old session cookie useless."""
    form = LogoutForm()
    if not form.validate_on_submit():
        flash(_("Your session form expired; please sign out again."), "warning")
        return redirect(url_for("dashboard.home"))
    user = staff()
    services.end_sessions(user)
    audit.record("logout", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password (required after a one-time password)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = staff()
        try:
            services.change_password(
                user, current=form.current_password.data or "", new=form.new_password.data or ""
            )
        except services.WrongPasswordError as error:
            db.session.rollback()
            form.current_password.errors = [str(error)]
        except services.PasswordPolicyError as error:
            db.session.rollback()
            form.new_password.errors = [str(error)]
        else:
            db.session.commit()
            # The version changed, so sign in again on this browser with the new session id.
            session.clear()
            login_user(user)
            session.permanent = True
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("dashboard.home"))
    return render_template("auth/change_password.html", form=form)
