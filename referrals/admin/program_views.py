"""Admin pages for programs (every field, including the never-displayed confidential location)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals.access import role_required, staff
from referrals.admin import queries, services
from referrals.admin.forms import ConfirmForm, ProgramForm
from referrals.admin.views import bp, form_status, refuse, run_action
from referrals.enums import Role, ServiceType
from referrals.extensions import db
from referrals.programs.models import Program


def _values(form: ProgramForm) -> dict[str, Any]:
    """The service's keyword arguments; a blank location means "keep the stored one"."""
    values = {name: form[name].data for name in ProgramForm.FIELDS}
    if form.clear_confidential_location.data:
        values["confidential_location"] = ""
    elif form.new_confidential_location.data:
        values["confidential_location"] = form.new_confidential_location.data
    return values


def _render(form: ProgramForm, program: Program | None) -> ResponseReturnValue:
    # Only whether a location is stored reaches the template, never the location itself.
    return render_template(
        "admin/program_form.html",
        form=form,
        program=program,
        location_stored=bool(program is not None and program.confidential_location),
        confirm=ConfirmForm(),
    ), form_status(form)


@bp.route("/programs/")
@role_required(Role.ADMIN)
def programs() -> ResponseReturnValue:
    """All programs, whatever their status."""
    return render_template(
        "admin/programs.html",
        programs=queries.programs(),
        service_labels={member.value: member.label for member in ServiceType},
        confirm=ConfirmForm(),
    )


@bp.route("/programs/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_program() -> ResponseReturnValue:
    """Add a program to an organization."""
    form = ProgramForm(organizations=queries.organization_choices())
    if form.validate_on_submit():
        try:
            program = services.create_program(by=staff(), **_values(form))
        except services.AdminInputError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Program %(name)s was added.", name=program.name), "success")
            return redirect(url_for("admin.programs"), code=303)
    return _render(form, None)


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_program(program_id: int) -> ResponseReturnValue:
    """Change any field of a program."""
    program = queries.get_program_or_404(program_id)
    form = ProgramForm(
        obj=program, organizations=queries.organization_choices(keep_id=program.organization_id)
    )
    if form.validate_on_submit():
        try:
            services.update_program(program, by=staff(), **_values(form))
        except services.AdminInputError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Program %(name)s was saved.", name=program.name), "success")
            return redirect(url_for("admin.programs"), code=303)
    return _render(form, program)


@bp.route("/programs/<int:program_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_program(program_id: int) -> ResponseReturnValue:
    """Mark a program inactive (it leaves matching)."""
    program = queries.get_program_or_404(program_id)
    return run_action(
        lambda: services.deactivate_program(program, by=staff()),
        done=_("Program %(name)s was deactivated.", name=program.name),
        target=url_for("admin.programs"),
    )


@bp.route("/programs/<int:program_id>/activate", methods=["POST"])
@role_required(Role.ADMIN)
def activate_program(program_id: int) -> ResponseReturnValue:
    """Mark a program active again."""
    program = queries.get_program_or_404(program_id)
    return run_action(
        lambda: services.activate_program(program, by=staff()),
        done=_("Program %(name)s was reactivated.", name=program.name),
        target=url_for("admin.programs"),
    )
