"""Words people read (#19 item 8): notifications that say what happened to which referral,
an audit page in words, a readable CSV, rates with their n, natural plurals and ranges,
match reasons naming the language that fits."""

from __future__ import annotations

import pytest
from flask import Flask

from referrals.enums import NotificationKind
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.lifecycle.transitions import SYSTEM_CANCEL, TRANSITIONS
from referrals.notifications import services
from referrals.notifications.wording import _SENTENCES
from tests.test_notifications import PROGRAM, World, signed_in
from tests.test_notifications import world as world  # the fixture

# --- notifications -------------------------------------------------------------------------


def test_every_move_that_notifies_has_its_own_sentence() -> None:
    moves = [t for t in (*TRANSITIONS, SYSTEM_CANCEL) if t.notify is not None]
    assert moves
    for transition in moves:
        assert transition.notify is not None
        assert (transition.notify.kind, transition.action) in _SENTENCES, transition.action
    assert (NotificationKind.STATUS_CHANGE, "forward") in _SENTENCES


@pytest.mark.parametrize(
    ("action", "sentence"),
    [
        ("accept", "{receiver} accepted referral {code} to {program}."),
        ("decline", "{receiver} declined referral {code} to {program}."),
        ("waitlist", "{receiver} put referral {code} to {program} on hold."),
    ],
)
def test_the_list_says_who_did_what_to_which_referral(
    app: Flask, world: World, action: str, sentence: str
) -> None:
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        services.notify_transition(referral, action, by=world.partner)
        db.session.commit()
    page = signed_in(app, world.sender).get("/notifications").get_data(as_text=True)
    expected = sentence.format(
        receiver=world.receiving_org.name, code=world.public_id, program=PROGRAM
    )
    assert expected in page
    assert "A partner responded to a referral" not in page


def test_the_list_names_the_new_referral_and_its_sender(app: Flask, world: World) -> None:
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        services.notify_transition(referral, "send", by=world.sender)
        db.session.commit()
    page = signed_in(app, world.partner).get("/notifications").get_data(as_text=True)
    assert f"{world.sending_org.name} sent referral {world.public_id} to {PROGRAM}." in page
