"""The supervisor's webhooks page: register an endpoint (secret shown once), switch one off
or on, read its delivery log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from referrals.access import role_required, staff
from referrals.enums import Role
from referrals.errors import InvalidInput, NotFound
from referrals.extensions import db
from referrals.tokens.services import may_hold_tokens
from referrals.webhooks import services
from referrals.webhooks.forms import NewWebhookForm, SwitchWebhookForm
from referrals.webhooks.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__)


def _page(
    form: NewWebhookForm, *, secret: str | None = None, status: int = 200
) -> ResponseReturnValue:
    user = staff()
    return render_template(
        "webhooks/index.html",
        form=form,
        switch_form=SwitchWebhookForm(formdata=None),
        endpoints=services.endpoints_of(user),
        may_register=may_hold_tokens(user),
        secret=secret,
    ), status


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    try:
        return services.endpoint_for(staff(), endpoint_id)
    except NotFound:
        abort(404)


@bp.route("/account/webhooks")
@role_required(Role.SUPERVISOR)
def index() -> ResponseReturnValue:
    """The organization's endpoints, and the form to register one."""
    return _page(NewWebhookForm(formdata=None))


@bp.route("/account/webhooks", methods=["POST"])
@role_required(Role.SUPERVISOR)
def create() -> ResponseReturnValue:
    """Register an endpoint and show its signing secret once."""
    user = staff()
    if not may_hold_tokens(user):
        abort(403)
    form = NewWebhookForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _endpoint_row, secret = services.register(form.url.data or "", by=user)
    except InvalidInput as error:
        db.session.rollback()
        form.url.errors = [str(error)]
        return _page(form, status=400)
    db.session.commit()
    flash(_("Webhook registered. Copy its secret now: it will not be shown again."), "success")
    return _page(NewWebhookForm(formdata=None), secret=secret)


@bp.route("/account/webhooks/<int:endpoint_id>")
@role_required(Role.SUPERVISOR)
def detail(endpoint_id: int) -> ResponseReturnValue:
    """One endpoint's latest deliveries."""
    endpoint = _endpoint(endpoint_id)
    return render_template(
        "webhooks/detail.html",
        endpoint=endpoint,
        deliveries=services.deliveries_of(endpoint),
        switch_form=SwitchWebhookForm(formdata=None),
    )


@bp.route("/account/webhooks/<int:endpoint_id>/switch", methods=["POST"])
@role_required(Role.SUPERVISOR)
def switch(endpoint_id: int) -> ResponseReturnValue:
    """Switch an endpoint off, or on again."""
    endpoint = _endpoint(endpoint_id)
    if not SwitchWebhookForm().validate_on_submit():
        abort(400)
    services.switch(endpoint, on=not endpoint.active, by=staff())
    db.session.commit()
    message = _("Webhook switched on.") if endpoint.active else _("Webhook switched off.")
    flash(message, "success")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id))
