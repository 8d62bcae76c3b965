"""/api/v1/referrals/<id>/messages: the thread between the two organizations (issue #19),
read and written by a partner system as on the referral page."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import UnprocessableEntity

from referrals import access
from referrals.api.schemas import MessageArgs, MessageSchema
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
