"""Intakes: list, record, view, edit, close and reopen (own organization only)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from referrals import access
from referrals.access import staff
from referrals.auth.models import User
from referrals.enums import AgeBand, Gender, Urgency
from referrals.errors import InvalidInput
from referrals.extensions import db
from referrals.intake import queries, services
from referrals.intake.forms import ConfirmForm, IntakeAssignForm, IntakeForm
from referrals.intake.models import Intake
from referrals.lifecycle import conversation
from referrals.read_only import record_read

bp = Blueprint("intake", __name__, url_prefix="/intakes")


@bp.before_request
@login_required
def only_intake_staff() -> ResponseReturnValue | None:
    """Intakes are for caseworkers and supervisors of referring organizations."""
    if not access.can_manage_intakes(staff()):
        abort(403)
    return None


def _fields(form: IntakeForm) -> services.IntakeFields:
    return services.IntakeFields(
        age_band=AgeBand(form.age_band.data),
        gender=Gender(form.gender.data),
        languages=form.languages.data or [],
        county=form.county.data or "",
        needs=form.needs.data or [],
        urgency=Urgency(form.urgency.data),
        indicators=form.indicators.data or [],
        situation_note=form.situation_note.data or "",
    )


@bp.route("/")
def index() -> ResponseReturnValue:
    """The organization's intakes, newest first."""
    show_closed = request.args.get("status") == "closed"
    page = queries.intake_page(
        staff(),
        is_open=not show_closed,
        after=request.args.get("after"),
        size=current_app.config["PAGE_SIZE"],
    )
    return render_template("intake/index.html", page=page, show_closed=show_closed)


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """Record an anonymized intake; a random client code is assigned."""
    form = IntakeForm()
    if form.validate_on_submit():
        try:
            intake = services.create_intake(by=staff(), fields=_fields(form))
        except services.IntakeError as error:
            db.session.rollback()
            form.situation_note.errors = [*form.situation_note.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Intake saved. Client code: %(code)s", code=intake.client_code), "success")
            return redirect(url_for("intake.detail", client_code=intake.client_code))
    status = 400 if form.is_submitted() else 200
    return render_template("intake/form.html", form=form, intake=None), status


@bp.route("/<client_code>")
def detail(client_code: str) -> ResponseReturnValue:
    """One intake, its consent at a glance, and what to do next."""
    user = staff()
    intake = access.intake_for(user, client_code)
    record_read(services.record_view, intake, by=user)
    return render_template(
        "intake/detail.html",
        intake=intake,
        consent=queries.consent_state(intake),
        confirm_form=ConfirmForm(),
        assign_form=_assign_form(user, intake, formdata=False),
    )


@bp.route("/<client_code>/edit", methods=["GET", "POST"])
def edit(client_code: str) -> ResponseReturnValue:
    """Change an open intake."""
    user = staff()
    intake = access.intake_for(user, client_code)
    form = IntakeForm(obj=intake if request.method == "GET" else None)
    if request.method == "GET":
        _fill(form, intake)
        # The edit form shows the note and indicators: that is a view too.
        record_read(services.record_view, intake, by=user, page="edit")
    if form.validate_on_submit():
        try:
            services.update_intake(intake, by=user, fields=_fields(form))
        except services.IntakeError as error:
            db.session.rollback()
            form.situation_note.errors = [*form.situation_note.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Intake updated."), "success")
            return redirect(url_for("intake.detail", client_code=intake.client_code))
    status = 400 if form.is_submitted() else 200
    return render_template("intake/form.html", form=form, intake=intake), status


def _fill(form: IntakeForm, intake: Intake) -> None:
    form.age_band.data = intake.age_band.value
    form.gender.data = intake.gender.value
    form.urgency.data = intake.urgency.value


@bp.route("/<client_code>/close", methods=["POST"])
def close(client_code: str) -> ResponseReturnValue:
    """Close an intake."""
    return _state_change(client_code, services.close_intake, _("Intake closed."))


@bp.route("/<client_code>/reopen", methods=["POST"])
def reopen(client_code: str) -> ResponseReturnValue:
    """Reopen a closed intake."""
    return _state_change(client_code, services.reopen_intake, _("Intake reopened."))


def _state_change(client_code: str, verb: Callable[..., None], done: str) -> ResponseReturnValue:
    """Load, confirm, apply one verb, commit, and go back to the intake."""
    user = staff()
    intake = access.intake_for(user, client_code)
    if ConfirmForm().validate_on_submit():
        try:
            verb(intake, by=user)
        except services.IntakeError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("intake.detail", client_code=intake.client_code))


def _assign_form(user: User, intake: Intake, *, formdata: bool = True) -> IntakeAssignForm:
    form = IntakeAssignForm() if formdata else IntakeAssignForm(formdata=None)
    form.assignee.choices = [
        SelectChoice(str(member.id), member.display_name)
        for member in conversation.intake_staff(user)
    ]
    if not formdata and intake.assignee_id:
        form.assignee.data = str(intake.assignee_id)
    return form


@bp.route("/<client_code>/assign", methods=["POST"])
def assign(client_code: str) -> ResponseReturnValue:
    """Give the intake to another caseworker or supervisor of the organization."""
    user = staff()
    intake = access.intake_for(user, client_code)
    form = _assign_form(user, intake)
    if not form.validate_on_submit():
        abort(400)
    try:
        conversation.assign_intake(intake, by=user, assignee_id=int(form.assignee.data))
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("Intake assigned."), "success")
    return redirect(url_for("intake.detail", client_code=intake.client_code))
