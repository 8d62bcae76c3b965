"""Consent for an intake: record, revoke, history."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from referrals import access
from referrals.access import staff
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.intake import queries, services
from referrals.intake.forms import ConfirmForm, ConsentForm
from referrals.intake.models import Intake
from referrals.intake.views import bp
from referrals.lifecycle.services import ReferralConflict
from referrals.localtime import day_end, local_date
from referrals.read_only import record_read


def _consent_form(intake: Intake) -> ConsentForm:
    form = ConsentForm()
    form.organization_ids.choices = [
        SelectChoice(org.id, org.name) for org in queries.receiving_organizations()
    ]
    if not form.is_submitted():
        default, _latest = services.consent_expiry_bounds(utcnow())
        form.expires_on.data = local_date(default)
        form.guardian_consent.data = False
    return form


@bp.route("/<client_code>/consent", methods=["GET", "POST"])
def consent(client_code: str) -> ResponseReturnValue:
    """Record written consent covering chosen organizations; see the consent history."""
    user = staff()
    intake = access.intake_for(user, client_code)
    if request.method == "GET":
        record_read(services.record_view, intake, by=user, page="consent")
    form = _consent_form(intake)
    if form.validate_on_submit():
        # The consent lasts to the end of the chosen day (the coalition's day).
        expires_at = day_end(form.expires_on.data) - timedelta(microseconds=1)  # type: ignore[arg-type]
        try:
            services.record_consent(
                intake,
                by=user,
                organization_ids=form.organization_ids.data or [],
                expires_at=expires_at,
                guardian_consent=bool(form.guardian_consent.data),
                guardian_relationship=form.guardian_relationship.data or "",
            )
        except services.IntakeError as error:
            db.session.rollback()
            form.expires_on.errors = [*form.expires_on.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Consent recorded."), "success")
            return redirect(url_for("intake.detail", client_code=intake.client_code))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "intake/consent.html",
            intake=intake,
            form=form,
            state=queries.consent_state(intake),
            confirm_form=ConfirmForm(),
            now=utcnow(),
        ),
        status,
    )


@bp.route("/<client_code>/consent/<int:consent_id>/revoke", methods=["POST"])
def revoke_consent(client_code: str, consent_id: int) -> ResponseReturnValue:
    """Withdraw a consent from now on."""
    user = staff()
    intake = access.intake_for(user, client_code)
    consent = next((c for c in intake.consents if c.id == consent_id), None)
    if consent is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.revoke_consent(consent, by=user)
        except services.IntakeError as error:
            db.session.rollback()
            flash(str(error), "warning")
        except ReferralConflict:
            # A partner acted on one of the referrals this cancels at the same moment.
            db.session.rollback()
            flash(
                _(
                    "A referral changed while consent was being revoked; nothing was "
                    "changed. Please revoke again."
                ),
                "warning",
            )
        else:
            db.session.commit()
            flash(_("Consent revoked."), "success")
    return redirect(url_for("intake.consent", client_code=intake.client_code))
