"""/fhir: the CapabilityStatement, Task and ServiceRequest reads, the Task search and the
Task updates. Reads and moves go through access.py and services.act like the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app
from flask.typing import ResponseReturnValue

from referrals import access
from referrals.audit import services as audit
from referrals.extensions import csrf, db
from referrals.fhir import capability, resources, search, updates
from referrals.lifecycle.models import Referral
from referrals.problems import FHIR_JSON
from referrals.tokens.guard import acting_user, current_principal, protect

bp = protect(Blueprint("fhir", __name__, url_prefix="/fhir"))
# The CapabilityStatement holds no data: clients read it before they have a token.
meta = Blueprint("fhir_meta", __name__, url_prefix="/fhir")
csrf.exempt(meta)


def fhir_response(resource: dict[str, Any], referral: Referral | None = None) -> Response:
    response = Response(current_app.json.dumps(resource), mimetype=FHIR_JSON)
    if referral is not None:
        response.headers["ETag"] = f'W/"{referral.version}"'
        response.last_modified = referral.updated_at
    return response


@meta.route("/metadata")
def metadata() -> ResponseReturnValue:
    """What this endpoint supports."""
    return fhir_response(capability.capability_statement())


def _read(public_id: str) -> Referral:
    """The referral if the token may see it (404 otherwise); the read is audited."""
    referral = access.referral_for(acting_user(), public_id)
    audit.record(
        "referral.viewed",
        actor=current_principal(),
        object_type="referral",
        object_id=referral.public_id,
        detail={"api_token": current_principal().token_id, "via": "fhir"},
    )
    return referral


@bp.route("/Task/<public_id>")
def read_task(public_id: str) -> ResponseReturnValue:
    """One referral as an SDOH Clinical Care referral Task."""
    referral = _read(public_id)
    return fhir_response(resources.task(referral), referral)


@bp.route("/ServiceRequest/<public_id>")
def read_service_request(public_id: str) -> ResponseReturnValue:
    """What the referral asks for, as a ServiceRequest."""
    referral = _read(public_id)
    return fhir_response(resources.service_request(referral), referral)


@bp.route("/Task")
def search_tasks() -> ResponseReturnValue:
    """The Tasks the token may see, by owner, status and last update."""
    return fhir_response(search.search_tasks(acting_user()))


@bp.route("/Task/<public_id>", methods=["PUT", "PATCH"])
def update_task(public_id: str) -> ResponseReturnValue:
    """Move the Task to the status it is sent with, as one move of the lifecycle."""
    user = acting_user()
    referral = access.referral_for(user, public_id)
    updates.apply_update(referral, user, current_principal().token_id)
    db.session.commit()
    referral = access.referral_for(user, public_id)
    return fhir_response(resources.task(referral), referral)
