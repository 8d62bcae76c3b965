"""Two-step sign-in settings: enrol with a QR code, recovery codes, turn off."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from referrals.access import staff
from referrals.audit import services as audit
from referrals.auth import mfa, services, sessions
from referrals.auth.forms import EnrolForm, PasswordConfirmForm
from referrals.auth.views import _login_rate_limit, bp
from referrals.extensions import db, limiter


def _settings_page(**context: object) -> str:
    user = staff()
    page: dict[str, object] = {
        "required": mfa.is_required(user),
        "codes_left": mfa.recovery_codes_left(user) if user.mfa_enabled else 0,
        "qr": mfa.qr_data_uri(user) if not user.mfa_enabled and user.totp_secret else None,
        "enrol_form": EnrolForm(formdata=None),
        "confirm_form": PasswordConfirmForm(formdata=None),
    }
    return render_template("auth/two_step.html", **(page | context))


@bp.route("/account/two-step")
@login_required
def two_step() -> ResponseReturnValue:
    """Status and, while not enrolled, a key with its QR code to enrol."""
    user = staff()
    if not user.mfa_enabled and user.totp_secret is None:
        # A pending key: it signs nothing in until a code from it has been confirmed.
        mfa.begin_enrolment(user)
        db.session.commit()
    return _settings_page()


@bp.route("/account/two-step/enrol", methods=["POST"])
@login_required
@limiter.limit(_login_rate_limit)
def enrol_two_step() -> ResponseReturnValue:
    """Confirm the pending key with a first code; show the recovery codes once."""
    user = staff()
    form = EnrolForm()
    if user.mfa_enabled:
        return redirect(url_for("auth.two_step"))
    if _password_confirmed(form):
        codes = mfa.confirm_enrolment(user, form.code.data or "")
        if codes is not None:
            sessions.end_others(user)  # a key added from a stolen session must not keep it alone
            audit.record("mfa.enrolled", actor=user, object_type="user", object_id=user.id)
            db.session.commit()
            flash(_("Two-step sign-in is on."), "success")
            return _settings_page(new_codes=codes)
        db.session.rollback()
        form.code.errors = [_("That code does not match. Check the phone's clock and try again.")]
    return _settings_page(enrol_form=form)


def _password_confirmed(form: PasswordConfirmForm | EnrolForm) -> bool:
    """The form is valid and its password right (throttled and audited like a sign-in)."""
    if not form.validate_on_submit():
        return False
    try:
        services.confirm_password(staff(), form.password.data or "")
    except services.WrongPasswordError as error:
        db.session.commit()  # the failure record
        form.password.errors = [str(error)]
        return False
    return True


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(_login_rate_limit)
def new_recovery_codes() -> ResponseReturnValue:
    """Replace every recovery code (the old ones stop working); needs the password."""
    user = staff()
    form = PasswordConfirmForm()
    if not user.mfa_enabled:
        return redirect(url_for("auth.two_step"))
    if not _password_confirmed(form):
        return _settings_page(confirm_form=form), 400
    codes = mfa.new_recovery_codes(user)
    sessions.end_others(user)
    audit.record("mfa.recovery_codes_replaced", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    flash(_("New recovery codes made; the old ones no longer work."), "success")
    return _settings_page(new_codes=codes)


@bp.route("/account/two-step/disable", methods=["POST"])
@login_required
@limiter.limit(_login_rate_limit)
def disable_two_step() -> ResponseReturnValue:
    """Turn two-step sign-in off, where the role and organization allow it."""
    user = staff()
    form = PasswordConfirmForm()
    if mfa.is_required(user):
        flash(_("Your role or organization requires two-step sign-in."), "warning")
        return redirect(url_for("auth.two_step"))
    if not _password_confirmed(form):
        return _settings_page(confirm_form=form), 400
    mfa.disable(user)
    sessions.end_others(user)
    audit.record("mfa.disabled", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    flash(_("Two-step sign-in is off."), "info")
    return redirect(url_for("auth.two_step"))
