"""Working together on a referral: post to its thread, assign it, forward it."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from referrals import access
from referrals.access import staff
from referrals.errors import InvalidInput
from referrals.extensions import db
from referrals.lifecycle import conversation
from referrals.lifecycle.forms import AssignForm, ForwardForm, MessageForm
from referrals.lifecycle.page import render_page
from referrals.lifecycle.services import ReferralConflict
from referrals.lifecycle.transitions import Side
from referrals.lifecycle.views import bp, conflict_page
from referrals.programs.queries import program_choices


def _back(public_id: str, anchor: str) -> ResponseReturnValue:
    return redirect(url_for("lifecycle.detail", public_id=public_id, _anchor=anchor))


@bp.route("/referrals/<public_id>/messages", methods=["POST"])
@login_required
def post_message(public_id: str) -> ResponseReturnValue:
    """Add a message to the thread between the two organizations."""
    user = staff()
    referral = access.referral_for(user, public_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            conversation.post_message(referral, by=user, body=form.body.data or "")
        except InvalidInput as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Message sent."), "success")
            return _back(referral.public_id, "thread")
    referral = access.referral_for(user, public_id)
    return render_page(referral, status=400, forms={"message": form})


@bp.route("/referrals/<public_id>/assign", methods=["POST"])
@login_required
def assign(public_id: str) -> ResponseReturnValue:
    """Give the referral to one of the user's own side's staff, or back to the team."""
    user = staff()
    referral = access.referral_for(user, public_id)
    side = conversation.side_of(user, referral)
    if side is None:
        abort(403)
    staff_list = conversation.assignable_staff(referral, side)
    form = AssignForm().offering([(member.id, member.display_name) for member in staff_list])
    if not form.validate_on_submit():
        abort(400)
    chosen = form.assignee.data
    try:
        conversation.assign(referral, by=user, assignee_id=int(chosen) if chosen else None)
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("Assignment saved."), "success")
    return _back(referral.public_id, "people")


@bp.route("/referrals/<public_id>/forward", methods=["POST"])
@login_required
def forward(public_id: str) -> ResponseReturnValue:
    """The receiver routes the referral to another of its own programs."""
    user = staff()
    referral = access.referral_for(user, public_id)
    if not access.on_side(user, referral, Side.RECEIVER):
        abort(403)
    form = ForwardForm()
    own_programs = program_choices(
        organization_id=referral.receiving_organization_id, but=referral.program_id
    )
    form.program.choices = [("", ""), *own_programs]
    version = str(form.version.data or "")
    if form.validate_on_submit() and version.isdigit() and len(version) <= 9:
        try:
            conversation.forward(
                referral,
                by=user,
                program_id=int(form.program.data),
                note=form.note.data or "",
                expected_version=int(version),
            )
        except ReferralConflict:
            db.session.rollback()
            return conflict_page(public_id)
        except InvalidInput as error:
            db.session.rollback()
            form.program.errors = [*form.program.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Referral forwarded to %(program)s.", program=referral.program.name), "success")
            return _back(referral.public_id, "summary")
    referral = access.referral_for(user, public_id)
    return render_page(referral, status=400, forms={"forward": form})
