"""The audit trail page: supervisors see their own staff's events, admins every event."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from referrals.access import role_required, staff
from referrals.audit import queries
from referrals.audit.forms import AuditFilterForm
from referrals.enums import Role

bp = Blueprint("audit", __name__)

FILTER_FIELDS = ("action", "actor", "object_type", "object_id", "start", "end")


def _filters(form: AuditFilterForm) -> queries.AuditFilters:
    """The filters the form holds; none at all while any of them is invalid."""
    if not form.validate():
        return queries.AuditFilters()
    return queries.AuditFilters(
        action=form.action.data or None,
        # Optional() lets a blank " " through as valid: it means no actor, not int(" ").
        actor_id=int(form.actor.data) if (form.actor.data or "").strip() else None,
        object_type=form.object_type.data or None,
        object_id=(form.object_id.data or "").strip() or None,
        start=form.start.data,
        end=form.end.data,
    )


# Reading the trail is not itself audited: each page view would add to what it shows.
@bp.route("/audit")
@role_required(Role.SUPERVISOR, Role.ADMIN)
def index() -> ResponseReturnValue:
    """Audit events newest first, with filters and keyset pages."""
    user = staff()
    form = AuditFilterForm(request.args)
    form.set_actors(queries.actors_in_scope(user))
    page = queries.audit_page(
        user,
        _filters(form),
        after=request.args.get("after"),
        size=current_app.config["PAGE_SIZE"],
    )
    # The next page keeps the filters that were asked for.
    kept = {name: request.args[name] for name in FILTER_FIELDS if request.args.get(name)}
    return render_template("audit/index.html", form=form, page=page, kept=kept)
