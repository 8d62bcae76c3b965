"""Sign in (with its second step), sign out, change password, keep the session alive."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, logout_user

from referrals.access import staff
from referrals.audit import services as audit
from referrals.auth import mfa, services, sessions, throttle
from referrals.auth.forms import (
    ChangePasswordForm,
    ExtendSessionForm,
    LoginForm,
    LogoutForm,
    SecondStepForm,
)
from referrals.auth.models import User
from referrals.errors import render_error
from referrals.extensions import db, limiter

bp = Blueprint("auth", __name__)

# Endpoints a user held on a required step (new password, two-step enrolment) may reach.
_ALLOWED_WHILE_HELD = {
    "language.switch",
    "auth.change_password",
    "auth.logout",
    "auth.two_step",
    "auth.enrol_two_step",
    "auth.extend_session",
    "auth.session_status",
    "static",
    "favicon",
    "operations.healthz",
    "operations.readyz",
    "operations.prometheus",
}
# Between the password and the second step: who, and until when (seconds).
_PENDING_KEY = "second_step"
_PENDING_SECONDS = 300


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: an off-site ``next`` would hand the user to a phishing page."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


@bp.before_app_request
def hold_on_required_step() -> ResponseReturnValue | None:
    """Keep users on the change-password or two-step page until they have done it."""
    endpoint = request.endpoint or ""
    if (
        not current_user.is_authenticated
        or endpoint in _ALLOWED_WHILE_HELD
        or endpoint.startswith("bootstrap.")
    ):
        return None
    if current_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    if mfa.is_required(current_user) and not current_user.mfa_enabled:
        return redirect(url_for("auth.two_step"))
    return None


def signed_out() -> ResponseReturnValue:
    """Where Flask-Login sends a request without a live session: the sign-in page (a 401
    for the timeout script's JSON check, which then goes to the sign-in page itself)."""
    reason = g.get("session_end_reason")
    if reason == sessions.EndReason.IDLE:
        flash(_("You were signed out after a period without activity. Please sign in again."))
    elif reason == sessions.EndReason.ABSOLUTE:
        flash(_("Sessions last at most 12 hours. Please sign in again."), "info")
    else:
        flash(_("Please sign in to see this page."), "info")
    if request.endpoint == "auth.session_status" and (
        request.accept_mimetypes.best == "application/json"
    ):
        return jsonify(error=_("Signed out."), login=url_for("auth.login")), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.app_errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded) -> ResponseReturnValue:
    """Flask-Limiter's refusal, with how long to wait (Retry-After carries it too)."""
    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit is not None else 60
    return render_error(
        429,
        _(
            "Too many sign-in attempts from your network. Try again in %(seconds)d seconds.",
            seconds=wait,
        ),
    )


def _locked_out(form: LoginForm, until: datetime) -> ResponseReturnValue:
    minutes = throttle.minutes_left(until)
    flash(
        _(
            "Too many failed sign-in attempts for this e-mail address. "
            "Try again in %(minutes)d minutes, or ask your administrator to reset the password.",
            minutes=minutes,
        ),
        "danger",
    )
    return render_template("auth/login.html", form=form), 429


def _audit_account_event(action: str, email: str, **detail: str) -> None:
    """A sign-in event about an address: filed under the account's organization, if any, so
    its supervisors see attacks on their staff on /audit."""
    user = services.find_user_by_email(email.strip())
    audit.record(
        action,
        object_type="user",
        object_id=user.id if user else "",
        organization_id=user.organization_id if user else None,
        detail=detail or None,
    )


def _finish_sign_in(user: User, *, second_step: str, next_url: str | None) -> ResponseReturnValue:
    # Only a finished sign-in forgets the failures: a right password alone must not, or
    # someone who has it could guess second-step codes forever, four at a time.
    throttle.clear(user.email)
    services.complete_login(user, second_step=second_step)
    sessions.start(user)
    db.session.commit()
    if user.must_change_password:
        flash(_("Please choose your own password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    if mfa.is_required(user) and not user.mfa_enabled:
        flash(_("Your account needs two-step sign-in. Set it up now to continue."), "info")
        return redirect(url_for("auth.two_step"))
    return redirect(next_url or url_for("dashboard.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and check the password (the first step)."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    email = form.email.data or ""
    until = throttle.begin_attempt(email)
    if until is not None:
        _audit_account_event("login.failure", email, reason="locked")
        db.session.commit()
        return _locked_out(form, until)
    user = services.check_credentials(email=email, password=form.password.data or "")
    if user is None:
        started = throttle.record_failure(email)
        if started is not None:
            _audit_account_event("login.locked", email)
        db.session.commit()
        if started is not None:
            return _locked_out(form, started)
        flash(_("Incorrect e-mail or password, or the account is not active."), "danger")
        return render_template("auth/login.html", form=form)
    next_url = safe_next(request.args.get("next"))
    if user.mfa_enabled:
        db.session.commit()
        session.clear()
        session[_PENDING_KEY] = {
            "user": user.get_id(),
            "until": int(time.time()) + _PENDING_SECONDS,
            "next": next_url,
        }
        return redirect(url_for("auth.second_step"))
    return _finish_sign_in(user, second_step="none", next_url=next_url)


def _pending_user() -> tuple[User, dict[str, Any]] | None:
    """The user who passed the password step in this browser a moment ago, if any."""
    pending = session.get(_PENDING_KEY)
    if not isinstance(pending, dict) or int(pending.get("until", 0)) < time.time():
        return None
    user_id, _, version = str(pending.get("user", "")).partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version or not user.is_active:
        return None
    return user, pending


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def second_step() -> ResponseReturnValue:
    """The second step: a TOTP code (each accepted once) or a recovery code."""
    found = _pending_user()
    if found is None:
        session.pop(_PENDING_KEY, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    user, pending = found
    form = SecondStepForm()
    if form.validate_on_submit():
        until = throttle.begin_attempt(user.email)
        if until is None:
            code = form.code.data or ""
            if mfa.accept_totp(user, code):
                return _finish_sign_in(user, second_step="totp", next_url=pending.get("next"))
            if mfa.accept_recovery_code(user, code):
                response = _finish_sign_in(
                    user, second_step="recovery_code", next_url=pending.get("next")
                )
                # After sign-in started the new session, or the message would be cleared.
                flash(
                    _(
                        "You signed in with a recovery code; %(n)d are left. "
                        "Make new ones on the Two-step sign-in page.",
                        n=mfa.recovery_codes_left(user),
                    ),
                    "warning",
                )
                return response
            _audit_account_event("login.failure", user.email, reason="bad_second_step")
            until = throttle.record_failure(user.email)
            if until is not None:
                _audit_account_event("login.locked", user.email)
        else:
            _audit_account_event("login.failure", user.email, reason="locked")
        db.session.commit()
        if until is not None:
            session.pop(_PENDING_KEY, None)
            return _locked_out(LoginForm(formdata=None), until)
        form.code.errors = [_("That code is not right, or it has been used already.")]
    # Invented demo accounts only (is_demo): show the code their published demo key gives.
    return render_template("auth/second_step.html", form=form, demo_code=mfa.demo_code(user))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Sign out: this browser's session row ends, so a copy of the cookie is useless."""
    form = LogoutForm()
    if not form.validate_on_submit():
        flash(_("Your session form expired; please sign out again."), "warning")
        return redirect(url_for("dashboard.home"))
    user = staff()
    sessions.end_current(sessions.EndReason.LOGOUT)
    audit.record("logout", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/session/status")
@login_required
def session_status() -> ResponseReturnValue:
    """Seconds until this session times out, for the warning script; never extends it."""
    row = g.get("user_session")
    return jsonify(seconds_left=sessions.seconds_left(row) if row else 0)


@bp.route("/session/extend", methods=["POST"])
@login_required
def extend_session() -> ResponseReturnValue:
    """The idle warning's button: restart the 15-minute clock and carry on."""
    form = ExtendSessionForm()
    if not form.validate_on_submit():
        return redirect(url_for("dashboard.home"))
    row = sessions.extend()
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(seconds_left=sessions.seconds_left(row) if row else 0)
    return redirect(safe_next(form.next.data) or url_for("dashboard.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_rate_limit, methods=["POST"])
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
            db.session.commit()  # only the failure record: the check comes before any change
            form.current_password.errors = [str(error)]
        except services.PasswordPolicyError as error:
            db.session.rollback()
            form.new_password.errors = [str(error)]
        else:
            # Every session ended with the change; this browser continues in a new one.
            sessions.start(user)
            db.session.commit()
            flash(
                _("Your password has been changed. Other devices have been signed out."),
                "success",
            )
            return redirect(url_for("dashboard.home"))
    return render_template("auth/change_password.html", form=form)
