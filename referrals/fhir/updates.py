"""A partner system moves a Task: PUT or PATCH of Task.status becomes one move of the
transition table (services.act), exactly as a click on the referral's page.

Only ``status`` (with ``statusReason`` for the reason and the last ``note`` for the note)
may change; the rest of a Task is the server's. If-Match (the Task's ETag, W/"version")
is required: 428 without it, 412 when it is not the current version.
"""

from __future__ import annotations

from typing import Any

import jsonpatch
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import (
    BadRequest,
    Conflict,
    Forbidden,
    PreconditionFailed,
    PreconditionRequired,
    UnprocessableEntity,
    UnsupportedMediaType,
)

from referrals import access
from referrals.auth.models import User
from referrals.extensions import db
from referrals.fhir import codes
from referrals.fhir.resources import task
from referrals.lifecycle import services
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.lifecycle.transitions import TRANSITIONS, Transition

JSON_PATCH = "application/json-patch+json"


def check_version(referral: Referral) -> None:
    if not request.headers.get("If-Match"):
        raise PreconditionRequired(description=_("Send If-Match with the Task's ETag."))
    if not request.if_match.contains_weak(str(referral.version)):
        raise PreconditionFailed(
            description=_("The Task changed since you read it: read it again, then decide.")
        )


def wanted_task(referral: Referral) -> dict[str, Any]:
    """The Task the request asks for: the body of a PUT, or the current one patched."""
    if request.method == "PATCH":
        if request.mimetype != JSON_PATCH:
            raise UnsupportedMediaType(description=_("PATCH takes a JSON Patch document."))
        operations = request.get_json(force=True, silent=True)
        if not isinstance(operations, list):
            raise BadRequest(description=_("A JSON Patch is a list of operations."))
        try:
            patched = jsonpatch.apply_patch(task(referral), operations)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as error:
            raise BadRequest(description=_("The JSON Patch cannot apply: %(e)s", e=error)) from None
    else:
        patched = request.get_json(silent=True)
    if not isinstance(patched, dict) or patched.get("resourceType") != "Task":
        raise BadRequest(description=_("Send a Task."))
    if patched.get("id") not in (None, referral.public_id):
        raise BadRequest(description=_("The Task's id is not the one in the address."))
    return patched


def _move_to(referral: Referral, status: Any, user: User) -> Transition:
    target = codes.FROM_TASK_STATUS.get(status) if isinstance(status, str) else None
    if target is None:
        raise BadRequest(description=_("Task.status is not a Task status code."))
    moves = [t for t in TRANSITIONS if t.target == target and referral.status in t.sources]
    if not moves:
        raise Conflict(
            description=_(
                "This Task is now “%(status)s”; it cannot become “%(target)s”.",
                status=codes.TASK_STATUS[referral.status],
                target=status,
            )
        )
    allowed = [t for t in moves if access.on_side(user, referral, t.side)]
    if not allowed:
        raise Forbidden(description=_("This token's side may not make that change."))
    return allowed[0]


def _reason(wanted: dict[str, Any]) -> str | None:
    reason = wanted.get("statusReason")
    codings = reason.get("coding") if isinstance(reason, dict) else None
    if isinstance(codings, list) and codings and isinstance(codings[0], dict):
        code = codings[0].get("code")
        return str(code) if code is not None else None
    return None


def _note(wanted: dict[str, Any]) -> str:
    notes = wanted.get("note")
    if isinstance(notes, list) and notes and isinstance(notes[-1], dict):
        return str(notes[-1].get("text") or "")
    return ""


def apply_update(referral: Referral, user: User, token_id: int) -> ReferralEvent | None:
    """Make the move the wanted Task's status asks for (None: the status is unchanged).

    Who may make it is checked before the version, so a token that may never make it hears
    so (403) whatever version it holds."""
    wanted = wanted_task(referral)
    if wanted.get("status") == codes.TASK_STATUS[referral.status]:
        check_version(referral)
        return None
    transition = _move_to(referral, wanted.get("status"), user)
    check_version(referral)
    try:
        event = services.act(
            referral,
            transition.action,
            by=user,
            reason=_reason(wanted),
            note=_note(wanted),
            expected_version=referral.version,
        )
    except services.ReferralConflict:
        db.session.rollback()
        raise PreconditionFailed(description=_("Someone else changed the Task first.")) from None
    except services.ReferralError as error:
        db.session.rollback()
        raise UnprocessableEntity(description=str(error)) from None
    event.api_token_id = token_id
    return event
