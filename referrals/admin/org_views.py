"""Admin pages for organizations."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals.access import role_required, staff
from referrals.admin import queries, services
from referrals.admin.forms import ConfirmForm, OrganizationForm
from referrals.admin.views import bp, form_status, refuse, run_action
from referrals.enums import Role
from referrals.extensions import db


def _values(form: OrganizationForm) -> dict[str, Any]:
    return {name: form[name].data for name in OrganizationForm.FIELDS}


@bp.route("/organizations/")
@role_required(Role.ADMIN)
def organizations() -> ResponseReturnValue:
    """All organizations, active or not, with their numbers of programs and accounts."""
    return render_template(
        "admin/organizations.html", rows=queries.organization_rows(), confirm=ConfirmForm()
    )


@bp.route("/organizations/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_organization() -> ResponseReturnValue:
    """Add an organization."""
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organization(by=staff(), **_values(form))
        except services.AdminInputError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Organization %(name)s was added.", name=org.name), "success")
            return redirect(url_for("admin.organizations"), code=303)
    return render_template("admin/organization_form.html", form=form, org=None), form_status(form)


@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_organization(org_id: int) -> ResponseReturnValue:
    """Change an organization's details."""
    org = queries.get_organization_or_404(org_id)
    form = OrganizationForm(obj=org)
    if form.validate_on_submit():
        try:
            services.update_organization(org, by=staff(), **_values(form))
        except services.AdminInputError as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Organization %(name)s was saved.", name=org.name), "success")
            return redirect(url_for("admin.organizations"), code=303)
    return render_template(
        "admin/organization_form.html", form=form, org=org, confirm=ConfirmForm()
    ), form_status(form)


@bp.route("/organizations/<int:org_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_organization(org_id: int) -> ResponseReturnValue:
    """Switch an organization off (its staff can no longer sign in)."""
    org = queries.get_organization_or_404(org_id)
    return run_action(
        lambda: services.deactivate_organization(org, by=staff()),
        done=_("Organization %(name)s was deactivated.", name=org.name),
        target=url_for("admin.organizations"),
    )


@bp.route("/organizations/<int:org_id>/activate", methods=["POST"])
@role_required(Role.ADMIN)
def activate_organization(org_id: int) -> ResponseReturnValue:
    """Switch an organization back on."""
    org = queries.get_organization_or_404(org_id)
    return run_action(
        lambda: services.activate_organization(org, by=staff()),
        done=_("Organization %(name)s was reactivated.", name=org.name),
        target=url_for("admin.organizations"),
    )
