"""Which programs fit an intake, and why; a draft referral from a match."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals import access
from referrals.access import staff
from referrals.audit import services as audit
from referrals.extensions import db
from referrals.intake import queries
from referrals.intake.forms import ConfirmForm
from referrals.intake.views import bp
from referrals.lifecycle import services as lifecycle
from referrals.matching.queries import match_intake
from referrals.programs.models import Program
from referrals.reads import record_read


@bp.route("/<client_code>/matches")
def matches(client_code: str) -> ResponseReturnValue:
    """Every active program, ranked with its reasons or excluded with its reason."""
    user = staff()
    intake = access.intake_for(user, client_code)
    record_read(
        audit.record, "intake.matched", actor=user, object_type="intake", object_id=intake.id
    )
    result = match_intake(intake)
    return render_template(
        "intake/matches.html",
        intake=intake,
        result=result,
        consent=queries.consent_state(intake),
        pending=lifecycle.draft_program_ids(intake),
        confirm_form=ConfirmForm(),
    )


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
