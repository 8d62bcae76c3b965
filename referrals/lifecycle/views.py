"""The partner inbox, the sent list, the referral page and its actions."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from referrals.access import staff
from referrals.db_types import utcnow
from referrals.enums import DeclineReason, Priority, ReferralStatus
from referrals.errors import render_error
from referrals.extensions import db
from referrals.lifecycle import lists, queries, services
from referrals.lifecycle.forms import ActionForm, SendForm
from referrals.lifecycle.models import Referral
from referrals.lifecycle.transitions import transition_for
from referrals.read_only import read_only

bp = Blueprint("lifecycle", __name__)


def _status_filter() -> ReferralStatus | None:
    try:
        return ReferralStatus(request.args.get("status", ""))
    except ValueError:
        return None  # no filter, or an unknown one: show everything


@bp.route("/inbox")
@login_required
@read_only
def inbox() -> ResponseReturnValue:
    """Referrals received by my organization: the longest overdue first, then the newest,
    unread marked; ``?status=overdue`` is the whole overdue queue."""
    user = staff()
    if not queries.can_use_inbox(user):
        abort(403)
    size = current_app.config["PAGE_SIZE"]
    after = request.args.get("after")
    context: dict[str, object] = {
        "statuses": list(ReferralStatus)[1:],
        "overdue_filter": lists.OVERDUE_FILTER,
    }
    if request.args.get("status") == lists.OVERDUE_FILTER:
        page = lists.overdue_page(user, after=after, size=size)
        return render_template(
            "lifecycle/inbox.html", page=page, status=lists.OVERDUE_FILTER, **context
        )
    status = _status_filter()
    if after:
        page = lists.inbox_page(user, status=status, after=after, size=size)
        return render_template("lifecycle/inbox.html", page=page, status=status, **context)
    first = lists.inbox_first_page(user, status=status, size=size)
    return render_template(
        "lifecycle/inbox.html",
        page=first.page,
        overdue=first.overdue,
        more_overdue=first.more_overdue,
        status=status,
        **context,
    )


@bp.route("/referrals/")
@login_required
@read_only
def sent() -> ResponseReturnValue:
    """Referrals sent by my organization."""
    user = staff()
    if not queries.can_use_sent_list(user):
        abort(403)
    status = _status_filter()
    page = lists.sent_page(
        user, status=status, after=request.args.get("after"), size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "lifecycle/sent.html", page=page, status=status, statuses=list(ReferralStatus)
    )


def _render_detail(
    referral: Referral,
    *,
    status: int = 200,
    send_form: SendForm | None = None,
    errors: dict[str, str] | None = None,
    consent_missing: bool = False,
) -> ResponseReturnValue:
    """The referral page, with the forms of the actions open to this user."""
    user = staff()
    actions = services.available_actions(referral, user)
    forms = {
        t.action: ActionForm(formdata=None, version=referral.version).for_transition(t)
        for t in actions
        if t.action != "send"
    }
    if send_form is None and any(t.action == "send" for t in actions):
        send_form = SendForm(formdata=None, version=referral.version)
    next_matches = []
    if (
        referral.status == ReferralStatus.REJECTED
        and referral.decline_reason == DeclineReason.NO_CAPACITY
        and user.organization_id == referral.sending_organization_id
    ):
        from referrals.matching.queries import match_intake

        ranked = match_intake(referral.intake).ranked
        next_matches = [row for row in ranked if row.program.id != referral.program_id][:3]
    return render_template(
        "lifecycle/detail.html",
        referral=referral,
        actions=actions,
        forms=forms,
        send_form=send_form,
        errors=errors or {},
        next_matches=next_matches,
        is_sender=user.organization_id == referral.sending_organization_id,
        consent_missing=consent_missing,
        now=utcnow(),
    ), status


@bp.route("/referrals/<public_id>")
@login_required
def detail(public_id: str) -> ResponseReturnValue:
    """The summary this user may see, the timeline, and the actions open to them."""
    user = staff()
    referral = queries.get_referral_for(user, public_id)
    services.record_view(referral, by=user)
    db.session.commit()
    # The commit expired what was loaded; load it again in one go rather than row by row.
    return _render_detail(queries.get_referral_for(user, public_id))


@bp.route("/referrals/<public_id>/<action>", methods=["POST"])
@login_required
def act(public_id: str, action: str) -> ResponseReturnValue:
    """Take one action on a referral (checked against the transition table)."""
    user = staff()
    referral = queries.get_referral_for(user, public_id)
    transition = transition_for(action)
    if transition is None:
        abort(404)
    if not services.may_act(user, referral, transition.side):
        abort(403)
    form: ActionForm | SendForm = (
        SendForm() if action == "send" else ActionForm().for_transition(transition)
    )
    if not form.validate_on_submit():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return _render_detail(
            referral,
            status=400,
            errors={action: message},
            send_form=form if isinstance(form, SendForm) else None,
        )
    if transition.irreversible and not (isinstance(form, ActionForm) and form.confirm.data):
        return _render_detail(
            referral,
            status=400,
            errors={action: _("Tick the box to confirm: this cannot be undone.")},
        )
    version = str(form.version.data or "")
    if not (version.isascii() and version.isdigit() and len(version) <= 9):
        abort(400)
    try:
        services.act(
            referral,
            action,
            by=user,
            reason=form.reason.data if isinstance(form, ActionForm) else None,
            note=form.note.data or "",
            expected_version=int(version),
            priority=Priority(form.priority.data) if isinstance(form, SendForm) else None,
        )
    except services.ReferralConflict:
        db.session.rollback()
        return render_error(
            409,
            _(
                "This referral changed while you were looking at it: someone else acted on it "
                "first. Reload it to see its current state; nothing you sent was saved."
            ),
            reload_url=url_for("lifecycle.detail", public_id=public_id),
        )
    except services.ReferralError as error:
        db.session.rollback()
        referral = queries.get_referral_for(user, public_id)
        return _render_detail(
            referral,
            status=400,
            errors={action: str(error)},
            send_form=form if isinstance(form, SendForm) else None,
            consent_missing=isinstance(error, services.ConsentRequired),
        )
    db.session.commit()
    flash(_("Referral updated: %(status)s.", status=referral.status.label), "success")
    return redirect(url_for("lifecycle.detail", public_id=referral.public_id))
