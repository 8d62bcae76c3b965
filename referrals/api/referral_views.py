"""/api/v1/referrals: lists, one referral, and its actions through the transition table."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.exceptions import Conflict, Forbidden, UnprocessableEntity

from referrals import access
from referrals.api import preconditions, queries
from referrals.api.schemas import (
    ActionArgs,
    ReferralDetailSchema,
    ReferralListArgs,
    ReferralPageSchema,
)
from referrals.audit import services as audit
from referrals.extensions import db
from referrals.lifecycle import services
from referrals.lifecycle.models import Referral
from referrals.tokens.guard import acting_user, current_principal, protect

blp = protect(
    Blueprint(
        "api_referrals",
        __name__,
        url_prefix="/api/v1/referrals",
        description="Referrals your organization received or sent.",
    )
)
# Documented as required; checked in the view, so a request without it gets 428, not 422.
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The referral's ETag, as the last read of it gave.",
    "schema": {"type": "string"},
}
ETAG_HEADER = {"ETag": {"description": "The referral's version.", "schema": {"type": "string"}}}


def _list(received: bool, args: dict[str, Any]) -> queries.Page:
    user = acting_user()
    # As for the inbox and the sent list: a side the token's role does not work on is 403.
    if not (access.can_use_inbox(user) if received else access.can_use_sent_list(user)):
        raise Forbidden(description=_("This token's side does not see these referrals."))
    return queries.referral_page(
        user,
        received=received,
        status=args.get("status"),
        updated_since=args.get("updated_since"),
        after=args.get("after"),
        limit=args["limit"],
    )


@blp.route("/received")
@blp.arguments(ReferralListArgs, location="query")
@blp.response(200, ReferralPageSchema)
def received(args: dict[str, Any]) -> queries.Page:
    """Referrals sent to your organization (while consent covers it), by last change."""
    return _list(True, args)


@blp.route("/sent")
@blp.arguments(ReferralListArgs, location="query")
@blp.response(200, ReferralPageSchema)
def sent(args: dict[str, Any]) -> queries.Page:
    """Referrals your organization sent (drafts included), by last change."""
    return _list(False, args)


def _detail(referral: Referral) -> Response:
    """The referral as JSON, with this token's actions and the ETag (its version)."""
    data = ReferralDetailSchema().dump(referral)
    data["actions"] = [t.action for t in access.actions_for(acting_user(), referral)]
    response = cast(Response, current_app.json.response(data))
    response.headers["ETag"] = preconditions.etag(referral.version)
    return response


@blp.route("/<public_id>")
@blp.response(200, ReferralDetailSchema, headers=ETAG_HEADER)
def detail(public_id: str) -> Response:
    """One referral: its summary, timeline and the actions open to this token now."""
    user = acting_user()
    referral = access.referral_for(user, public_id)
    audit.record(
        "referral.viewed",
        actor=current_principal(),
        object_type="referral",
        object_id=referral.public_id,
        detail={"api_token": current_principal().token_id},
    )
    return _detail(referral)


@blp.route("/<public_id>/actions", methods=["POST"])
@blp.arguments(ActionArgs)
@blp.response(200, ReferralDetailSchema, headers=ETAG_HEADER)
@blp.doc(parameters=[IF_MATCH])
def act(args: dict[str, Any], public_id: str) -> Response:
    """Take one action of the lifecycle on the referral, as the pages do (If-Match required).

    409: the referral's status does not allow the action; 412: If-Match is not the current
    ETag (someone acted first); 428: If-Match missing; 422: the action's input (a reason, a
    note with identifying details, consent) is refused, with the reason why.
    """
    user = acting_user()
    referral = access.referral_for(user, public_id)
    transition = access.row_for(user, args["action"], referral)
    if transition is None:
        raise Forbidden(description=_("This token's side may not take that action."))
    version = preconditions.required_version(referral.version)
    if referral.status not in transition.sources:
        raise Conflict(
            description=_(
                "This referral is now “%(status)s”; that action is no longer possible.",
                status=referral.status.value,
            )
        )
    try:
        event = services.act(
            referral,
            transition.action,
            by=user,
            reason=args.get("reason"),
            note=args.get("note") or "",
            expected_version=version,
            priority=args.get("priority"),
        )
    except services.ReferralConflict:
        db.session.rollback()
        raise preconditions.stale() from None
    except services.ReferralError as error:
        db.session.rollback()
        raise UnprocessableEntity(description=str(error)) from None
    event.api_token_id = current_principal().token_id
    db.session.commit()
    return _detail(access.referral_for(user, public_id))
