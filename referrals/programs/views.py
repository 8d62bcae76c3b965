"""The program directory and capacity updates by the program's own staff."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from referrals.access import staff
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.programs import queries, services
from referrals.programs.forms import CapacityForm, DirectoryFilterForm

bp = Blueprint("programs", __name__, url_prefix="/programs")


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """The coalition's programs, filtered by service, age, gender, language, county, capacity."""
    form = DirectoryFilterForm(request.args)
    filters = queries.DirectoryFilters()
    if form.validate():
        filters = queries.DirectoryFilters(
            service=form.service.data or None,
            age=form.age.data,
            gender=form.gender.data or None,
            language=form.language.data or None,
            county=form.county.data or None,
            open_only=bool(form.open_only.data),
        )
    return render_template(
        "programs/index.html", programs=queries.directory(filters), form=form, now=utcnow()
    )


@bp.route("/<int:program_id>")
@login_required
def detail(program_id: int) -> ResponseReturnValue:
    """One program: eligibility, capacity and its freshness, response time."""
    program = queries.get_program_or_404(program_id)
    form = CapacityForm(obj=None) if program.can_update_capacity(staff()) else None
    if form is not None:
        form.available.data = program.capacity_available
        form.maximum.data = program.capacity_maximum
    return render_template("programs/detail.html", program=program, form=form)


@bp.route("/<int:program_id>/capacity", methods=["POST"])
@login_required
def update_capacity(program_id: int) -> ResponseReturnValue:
    """Update open places in one step."""
    program = queries.get_program_or_404(program_id)
    user = staff()
    if not program.can_update_capacity(user):
        abort(403)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            services.update_capacity(
                program, by=user, available=form.available.data or 0, maximum=form.maximum.data
            )
        except services.CapacityError as error:
            db.session.rollback()
            form.available.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Capacity updated."), "success")
            return redirect(url_for("programs.detail", program_id=program.id))
    return render_template("programs/detail.html", program=program, form=form), 400
