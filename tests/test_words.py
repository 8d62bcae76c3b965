"""Words people read (#19 item 8): notifications that say what happened to which referral,
an audit page in words, a readable CSV, rates with their n, natural plurals and ranges,
match reasons naming the language that fits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from referrals.db_types import utcnow
from referrals.enums import NotificationKind, Role
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.lifecycle.transitions import SYSTEM_CANCEL, TRANSITIONS
from referrals.matching.engine import match
from referrals.notifications import services
from referrals.notifications.wording import _SENTENCES
from referrals.phrases import age_range, places
from referrals.templating import ago
from tests.test_matching import intake, program
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


# --- plurals and open ranges ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [(12, 17, "12–17"), (18, None, "18 and over"), (None, 17, "up to 17"), (None, None, "any age")],
)
def test_age_ranges_read_naturally(app: Flask, low, high, words) -> None:
    with app.test_request_context():
        assert age_range(low, high) == words


@pytest.mark.parametrize(
    ("count", "unit", "words"),
    [
        (1, "bed", "1 bed"),
        (2, "bed", "2 beds"),
        (2, "Beds", "2 beds"),
        (0, "seat", "0 seats"),
        (10, "slot", "10 slots"),
        (3, "cots", "3 cots"),  # a unit typed by hand is shown as typed
    ],
)
def test_capacity_counts_take_the_plural_they_need(app: Flask, count, unit, words) -> None:
    with app.test_request_context():
        assert places(count, unit) == words


def test_the_directory_says_beds_and_ages_in_words(app: Flask, make_program, login_as) -> None:
    make_program(
        name="Adults", min_age=18, capacity_available=2, capacity_unit="bed", response_time_hours=24
    )
    make_program(name="Minors", max_age=17, capacity_available=1, capacity_unit="seat")
    client, _user = login_as(Role.CASEWORKER)
    page = client.get("/programs/").get_data(as_text=True)
    for words in ("18 and over", "up to 17", "2 beds", "1 seat", "24 hours"):
        assert words in page, words
    for wrong in ("18–<", "2 bed<", "1 seats"):
        assert wrong not in page, wrong


# --- the language that fits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "reason"),
    [
        (("English", "Spanish"), "Spanish spoken"),  # not "English spoken"
        (("Spanish",), "Spanish spoken"),
        (("English",), "English spoken"),
        (("French",), "English or Spanish not spoken"),
    ],
)
def test_a_match_names_the_language_that_fits(offered, reason) -> None:
    result = match(intake(languages=("English", "Spanish")), [program(languages=offered)])
    assert reason in result.ranked[0].reasons


def test_how_long_ago_takes_its_plural(app: Flask) -> None:
    with app.test_request_context():
        now = utcnow()
        assert ago(now - timedelta(minutes=1, seconds=5)) == "1 minute ago"
        assert ago(now - timedelta(hours=1, minutes=2)) == "1 hour ago"
        assert ago(now - timedelta(hours=5)) == "5 hours ago"
        assert ago(now - timedelta(days=3)) == "3 days ago"
