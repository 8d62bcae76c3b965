"""Which programs fit an intake, and why; a draft referral from a match."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals import access
from referrals.access import staff
from referrals.audit import services as audit
from referrals.enums import PRIORITY_FOR_URGENCY, Priority
from referrals.extensions import db
from referrals.intake import queries, services
from referrals.intake.forms import ConfirmForm, ExtendConsentForm, ReferForm
from referrals.intake.views import bp
from referrals.lifecycle import services as lifecycle
from referrals.matching.queries import match_intake
from referrals.programs.models import Program
from referrals.read_only import record_read


@bp.route("/<client_code>/matches")
def matches(client_code: str) -> ResponseReturnValue:
    """Every active program, ranked with its reasons or excluded with its reason."""
    user = staff()
    intake = access.intake_for(user, client_code)
    record_read(
        audit.record, "intake.matched", actor=user, object_type="intake", object_id=intake.id
    )
    return render_template(
        "intake/matches.html",
        intake=intake,
        result=match_intake(intake),
        consent=queries.consent_state(intake),
        pending=lifecycle.draft_program_ids(intake),
        confirm_form=ConfirmForm(),
        refer_form=ReferForm(formdata=None, priority=PRIORITY_FOR_URGENCY[intake.urgency].value),
        extend_form=ExtendConsentForm(formdata=None),
    )


@bp.route("/<client_code>/matches/<int:program_id>/refer", methods=["POST"])
def refer(client_code: str, program_id: int) -> ResponseReturnValue:
    """Refer to a matched program in one confirmed step: the draft is made and sent at once,
    or, if sending is refused (no consent, say), nothing is left behind."""
    user = staff()
    intake = access.intake_for(user, client_code)
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    form = ReferForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "warning")
        return redirect(url_for("intake.matches", client_code=intake.client_code))
    try:
        referral = lifecycle.create_draft(intake, program, by=user)
        lifecycle.act(
            referral,
            "send",
            by=user,
            note=form.note.data or "",
            priority=Priority(form.priority.data),
        )
    except lifecycle.ReferralError as error:
        db.session.rollback()  # the draft goes too: a refused send leaves nothing
        flash(str(error), "warning")
        return redirect(url_for("intake.matches", client_code=intake.client_code))
    db.session.commit()
    flash(_("Referral sent to %(program)s.", program=program.name), "success")
    return redirect(url_for("lifecycle.detail", public_id=referral.public_id))


@bp.route("/<client_code>/consent/extend", methods=["POST"])
def extend_consent(client_code: str) -> ResponseReturnValue:
    """The client agreed to share with one more organization (from the matches page)."""
    user = staff()
    intake = access.intake_for(user, client_code)
    form = ExtendConsentForm()
    organization = str(form.organization_id.data or "")
    if not form.validate_on_submit() or not organization.isdigit() or len(organization) > 9:
        flash(_("Tick the box to confirm the client agreed in writing."), "warning")
        return redirect(url_for("intake.matches", client_code=intake.client_code))
    try:
        services.extend_consent(intake, by=user, organization_id=int(organization))
    except services.IntakeError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("Consent extended."), "success")
    return redirect(url_for("intake.matches", client_code=intake.client_code))


@bp.route("/<client_code>/matches/<int:program_id>/draft", methods=["POST"])
def draft_referral(client_code: str, program_id: int) -> ResponseReturnValue:
    """Start a referral to a matched program as a draft."""
    user = staff()
    intake = access.intake_for(user, client_code)
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            referral = lifecycle.create_draft(intake, program, by=user)
        except lifecycle.ReferralError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Draft referral to %(program)s saved.", program=program.name), "success")
            return redirect(url_for("lifecycle.detail", public_id=referral.public_id))
    return redirect(url_for("intake.matches", client_code=intake.client_code))
