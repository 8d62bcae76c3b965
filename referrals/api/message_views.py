"""/api/v1/referrals/<id>/messages and /assignee: the thread between the two organizations and
who works the referral on your side (issue #19), as on the referral page."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import UnprocessableEntity

from referrals import access
from referrals.api.schemas import AssigneeArgs, AssigneeSchema, MessageArgs, MessageSchema
from referrals.auth.models import User
from referrals.errors import InvalidInput
from referrals.extensions import db
from referrals.lifecycle import conversation
from referrals.lifecycle.models import Referral, ReferralMessage
from referrals.tokens.guard import acting_user, protect

blp = protect(
    Blueprint(
        "api_messages",
        __name__,
        url_prefix="/api/v1/referrals",
        description="The thread of messages between the sending and the receiving organization.",
    )
)


@blp.route("/<public_id>/messages")
@blp.response(200, MessageSchema(many=True))
def messages(public_id: str) -> list[ReferralMessage]:
    """The referral's thread, oldest first (gone with the referral when consent ends)."""
    referral = access.referral_for(
        acting_user(),
        public_id,
        selectinload(Referral.messages)
        .joinedload(ReferralMessage.author)
        .joinedload(User.organization),
    )
    return list(referral.messages)


@blp.route("/<public_id>/messages", methods=["POST"])
@blp.arguments(MessageArgs)
@blp.response(201, MessageSchema)
def post_message(args: dict[str, Any], public_id: str) -> ReferralMessage:
    """Write to the other organization (422 with the reason when the text is refused)."""
    user = acting_user()
    referral = access.referral_for(user, public_id)
    try:
        message = conversation.post_message(referral, by=user, body=args["body"])
    except InvalidInput as error:
        db.session.rollback()
        raise UnprocessableEntity(description=str(error)) from None
    db.session.commit()
    return message


@blp.route("/<public_id>/assignee", methods=["PUT"])
@blp.arguments(AssigneeArgs)
@blp.response(200, AssigneeSchema)
def assign(args: dict[str, Any], public_id: str) -> dict[str, Any]:
    """Give the referral to one of your side's staff, or to nobody (422 for anyone else)."""
    user = acting_user()
    referral = access.referral_for(user, public_id)
    try:
        conversation.assign(referral, by=user, assignee_id=args["assignee_id"])
    except InvalidInput as error:
        db.session.rollback()
        raise UnprocessableEntity(description=str(error)) from None
    db.session.commit()
    side = "sender" if access.is_sender(user, referral) else "receiver"
    return {"side": side, "assignee_id": args["assignee_id"]}
