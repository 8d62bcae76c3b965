"""The partner inbox, the sent list, the referral page and its actions."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from referrals import access
from referrals.access import staff
from referrals.enums import Priority, ReferralStatus
from referrals.errors import render_error
from referrals.extensions import db
from referrals.lifecycle import lists, services
from referrals.lifecycle.forms import ActionForm, SendForm
from referrals.lifecycle.page import render_page, suggestions_for
from referrals.lifecycle.transitions import transition_for
from referrals.read_only import read_only, record_read

bp = Blueprint("lifecycle", __name__)


def _status_filter() -> ReferralStatus | None:
    try:
        return ReferralStatus(request.args.get("status", ""))
    except ValueError:
        return None  # no filter, or an unknown one: show everything


def _mine() -> bool:
    """``?assigned=me``: only the referrals assigned to the signed-in user."""
    return request.args.get("assigned") == "me"


@bp.route("/inbox")
@login_required
@read_only
def inbox() -> ResponseReturnValue:
    """Referrals received by my organization: the longest overdue first, then the newest,
    unread marked; ``?status=overdue`` is the whole overdue queue."""
    user = staff()
    if not access.can_use_inbox(user):
        abort(403)
    size = current_app.config["PAGE_SIZE"]
    after = request.args.get("after")
    mine = _mine()
    context: dict[str, object] = {
        "statuses": list(ReferralStatus)[1:],
        "overdue_filter": lists.OVERDUE_FILTER,
        "mine": mine,
    }
    if request.args.get("status") == lists.OVERDUE_FILTER:
        page = lists.overdue_page(user, after=after, size=size)
        return render_template(
            "lifecycle/inbox.html", page=page, status=lists.OVERDUE_FILTER, **context
        )
    status = _status_filter()
    if after:
        page = lists.inbox_page(user, status=status, after=after, size=size, mine=mine)
        return render_template("lifecycle/inbox.html", page=page, status=status, **context)
    first = lists.inbox_first_page(user, status=status, size=size, mine=mine)
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
    if not access.can_use_sent_list(user):
        abort(403)
    status = _status_filter()
    mine = _mine()
    page = lists.sent_page(
        user,
        status=status,
        after=request.args.get("after"),
        size=current_app.config["PAGE_SIZE"],
        mine=mine,
    )
    return render_template(
        "lifecycle/sent.html", page=page, status=status, statuses=list(ReferralStatus), mine=mine
    )


@bp.route("/referrals/<public_id>")
@login_required
@read_only  # the view is recorded and committed first; the page's reads after it change nothing
def detail(public_id: str) -> ResponseReturnValue:
    """The summary this user may see, the timeline, and the actions open to them."""
    user = staff()
    referral = access.referral_for(user, public_id, shown_only=True)
    record_read(services.record_view, referral, by=user)
    return render_page(referral)


def _chosen_program(form: ActionForm | SendForm) -> int | None:
    """The suggested program's id: the form accepted only ids it offered, or nothing."""
    value = (form.suggested_program.data or "").strip() if isinstance(form, ActionForm) else ""
    return int(value) if value.isdigit() else None


def conflict_page(public_id: str) -> ResponseReturnValue:
    """Someone else acted first: say so, save nothing, offer to reload."""
    return render_error(
        409,
        _(
            "This referral changed while you were looking at it: someone else acted on it "
            "first. Reload it to see its current state; nothing you sent was saved."
        ),
        reload_url=url_for("lifecycle.detail", public_id=public_id),
    )


@bp.route("/referrals/<public_id>/<action>", methods=["POST"])
@login_required
def act(public_id: str, action: str) -> ResponseReturnValue:
    """Take one action on a referral (checked against the transition table)."""
    user = staff()
    referral = access.referral_for(user, public_id)
    if transition_for(action) is None:
        abort(404)
    transition = access.row_for(user, action, referral)
    if transition is None:
        abort(403)
    form: ActionForm | SendForm = (
        SendForm()
        if action == "send"
        else ActionForm().for_transition(transition, suggestions_for(referral, [transition]))
    )
    if not form.validate_on_submit():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return render_page(
            referral,
            status=400,
            errors={action: message},
            send_form=form if isinstance(form, SendForm) else None,
        )
    if transition.irreversible and not (isinstance(form, ActionForm) and form.confirm.data):
        return render_page(
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
            until=form.until.data if isinstance(form, ActionForm) else None,
            suggested_program_id=_chosen_program(form),
        )
    except services.ReferralConflict:
        db.session.rollback()
        return conflict_page(public_id)
    except services.ReferralError as error:
        db.session.rollback()
        referral = access.referral_for(user, public_id)
        return render_page(
            referral,
            status=400,
            errors={action: str(error)},
            send_form=form if isinstance(form, SendForm) else None,
            consent_missing=isinstance(error, services.ConsentRequired),
        )
    db.session.commit()
    flash(_("Referral updated: %(status)s.", status=referral.status.label), "success")
    return redirect(url_for("lifecycle.detail", public_id=referral.public_id))
