"""Notifications: who gets one, the in-app list, and e-mails that carry no client details."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask

from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import AgeBand, Gender, NotificationKind, ReferralStatus, Role, ServiceType
from referrals.extensions import db, mail
from referrals.intake.models import Consent
from referrals.lifecycle.models import Notification, Referral
from referrals.lifecycle.transitions import TRANSITIONS
from referrals.notifications import services
from referrals.programs.models import Organization
from tests.conftest import sibling_program

NOTE = "Needs a quiet room near the bus line"
COUNTY = "Clay County, MO"
SITUATION = "Sleeps in the blue van behind the laundromat"
LANGUAGE = "Tigrinya"
PROGRAM = "Harbor Light Dental Clinic"


@dataclass
class World:
    """Two organizations around one referral, with staff who should and should not hear."""

    sender: User
    sender_supervisor: User
    sender_supervisor_inactive: User
    partner: User
    partner_2: User
    receiver_supervisor: User
    partner_inactive: User
    receiver_caseworker: User
    other_partner: User
    other_supervisor: User
    referral_id: int
    public_id: str
    client_code: str
    sending_org: Organization
    receiving_org: Organization


def add_referral(app: Flask, world: World, **fields: Any) -> tuple[int, str]:
    """One more referral between the world's two organizations; returns (id, public id)."""
    with app.app_context():
        template = db.session.get(Referral, world.referral_id)
        assert template is not None
        fields.setdefault("status", ReferralStatus.REQUESTED)
        fields.setdefault("sent_at", utcnow())
        referral = Referral(
            intake_id=template.intake_id,
            program_id=sibling_program(template.program_id),
            receiving_organization_id=template.receiving_organization_id,
            sending_organization_id=template.sending_organization_id,
            sent_by_id=template.sent_by_id,
            **fields,
        )
        db.session.add(referral)
        db.session.commit()
        return referral.id, referral.public_id


@pytest.fixture
def world(app, make_org, make_user, make_program, make_intake) -> World:
    """A sender organization, a receiver with a program, a bystander organization."""
    sending = make_org(name="Safe Harbor Outreach")
    receiving = make_org(name="Riverside Healing House")
    other = make_org(name="Unrelated Shelter")
    sender = make_user(Role.CASEWORKER, org=sending)
    people = {
        "sender_supervisor": make_user(Role.SUPERVISOR, org=sending),
        "sender_supervisor_inactive": make_user(Role.SUPERVISOR, org=sending, active=False),
        "partner": make_user(Role.PARTNER, org=receiving),
        "partner_2": make_user(Role.PARTNER, org=receiving),
        "receiver_supervisor": make_user(Role.SUPERVISOR, org=receiving),
        "partner_inactive": make_user(Role.PARTNER, org=receiving, active=False),
        "receiver_caseworker": make_user(Role.CASEWORKER, org=receiving),
        "other_partner": make_user(Role.PARTNER, org=other),
        "other_supervisor": make_user(Role.SUPERVISOR, org=other),
    }
    program = make_program(org=receiving, name=PROGRAM, service_types=["dental_care"])
    intake = make_intake(
        by=sender,
        age_band=AgeBand.AGE_16_17,
        gender=Gender.TRANSGENDER_MALE,
        languages=[LANGUAGE],
        county=COUNTY,
        needs=["dental_care", "court_advocacy"],
        situation_note=SITUATION,
    )
    with app.app_context():
        referral = Referral(
            intake_id=intake.id,
            program_id=program.id,
            receiving_organization_id=receiving.id,
            sending_organization_id=sending.id,
            sent_by_id=sender.id,
            status=ReferralStatus.REQUESTED,
            sent_at=utcnow(),
            note=NOTE,
        )
        # Consent covers the receiver, so the partner may see the referral it names.
        consent = Consent(
            intake_id=intake.id,
            given_at=utcnow() - timedelta(days=1),
            expires_at=utcnow() + timedelta(days=30),
            recorded_by_id=sender.id,
            organizations=[db.session.get(Organization, receiving.id)],
        )
        db.session.add_all([referral, consent])
        db.session.commit()
        ids = referral.id, referral.public_id
    return World(
        sender=sender,
        **people,
        referral_id=ids[0],
        public_id=ids[1],
        client_code=intake.client_code,
        sending_org=sending,
        receiving_org=receiving,
    )


def notify(app: Flask, call: Callable[[Referral], list[Notification]], referral_id: int):
    """Run a notify_* call on the referral, commit, and return {recipient id: kind}."""
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        notifications = call(referral)
        db.session.commit()
        return {n.recipient_id: n.kind for n in notifications}


def receiving_staff(world: World) -> set[int]:
    return {world.partner.id, world.partner_2.id, world.receiver_supervisor.id}


# --- who is told ---------------------------------------------------------------------------


def test_send_tells_active_program_staff_of_the_receiving_organization(app, world):
    got = notify(
        app, lambda r: services.notify_transition(r, "send", by=world.sender), world.referral_id
    )
    assert set(got) == receiving_staff(world)
    assert set(got.values()) == {NotificationKind.NEW_REFERRAL}


def test_the_actor_is_never_told_about_their_own_action(app, world, make_user):
    # An organization may refer to its own program: its supervisor sends and receives.
    org_id = world.receiving_org.id
    with app.app_context():
        db.session.execute(
            sa.update(Referral)
            .where(Referral.id == world.referral_id)
            .values(sending_organization_id=org_id, sent_by_id=world.receiver_supervisor.id)
        )
        db.session.commit()
    got = notify(
        app,
        lambda r: services.notify_transition(r, "send", by=world.receiver_supervisor),
        world.referral_id,
    )
    assert set(got) == {world.partner.id, world.partner_2.id}
    got = notify(
        app,
        lambda r: services.notify_transition(r, "accept", by=world.receiver_supervisor),
        world.referral_id,
    )
    assert got == {}


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("accept", NotificationKind.DECISION),
        ("decline", NotificationKind.DECISION),
        ("enroll", NotificationKind.STATUS_CHANGE),
        ("waitlist", NotificationKind.STATUS_CHANGE),
        ("resume", NotificationKind.STATUS_CHANGE),
        ("complete", NotificationKind.STATUS_CHANGE),
        ("fail", NotificationKind.STATUS_CHANGE),
    ],
)
def test_receiver_decisions_tell_the_sender_only(app, world, action, kind):
    got = notify(
        app, lambda r: services.notify_transition(r, action, by=world.partner), world.referral_id
    )
    assert got == {world.sender.id: kind}


def test_an_inactive_sender_is_not_told(app, world):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == world.sender.id).values(active=False))
        db.session.commit()
    got = notify(
        app, lambda r: services.notify_transition(r, "accept", by=world.partner), world.referral_id
    )
    assert got == {}


@pytest.mark.parametrize("action", ["cancel", "enter_in_error"])
def test_withdrawing_a_sent_referral_tells_the_receiving_staff(app, world, action):
    got = notify(
        app,
        lambda r: services.notify_transition(r, action, by=world.sender_supervisor),
        world.referral_id,
    )
    assert set(got) == receiving_staff(world)
    assert set(got.values()) == {NotificationKind.CANCELLED}


@pytest.mark.parametrize("action", ["cancel", "enter_in_error"])
def test_withdrawing_a_draft_tells_nobody(app, world, action):
    draft_id, _ = add_referral(app, world, status=ReferralStatus.DRAFT, sent_at=None)
    got = notify(app, lambda r: services.notify_transition(r, action, by=world.sender), draft_id)
    assert got == {}


def test_every_lifecycle_action_has_a_notification_rule(app, world):
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        for transition in TRANSITIONS:
            services.notify_transition(referral, transition.action, by=None)
        with pytest.raises(ValueError, match="no notification rule"):
            services.notify_transition(referral, "teleport", by=None)
        db.session.rollback()


def test_overdue_tells_the_receiving_staff_and_the_sender(app, world):
    got = notify(app, services.notify_overdue, world.referral_id)
    assert set(got) == receiving_staff(world) | {world.sender.id}
    assert set(got.values()) == {NotificationKind.OVERDUE}


def test_escalation_tells_the_sending_supervisors_only(app, world):
    got = notify(app, services.notify_escalation, world.referral_id)
    assert got == {world.sender_supervisor.id: NotificationKind.ESCALATION}


def test_finding_recipients_takes_one_query(app, world):
    with app.app_context(), count_queries() as statements:
        referral = db.session.get(Referral, world.referral_id)
        before = len(statements)
        services.notify_transition(referral, "send", by=world.sender)
        selects = [s for s in statements[before:] if s.lstrip().upper().startswith("SELECT")]
        db.session.rollback()
    assert len(selects) == 1


# --- the in-app list -----------------------------------------------------------------------


def add_notifications(app: Flask, user: User, referral_ids: list[int], **fields: Any) -> list[int]:
    """One notification per referral for ``user``, one minute apart (the last is newest)."""
    start = utcnow() - timedelta(hours=1)
    with app.app_context():
        rows = [
            Notification(
                recipient_id=user.id,
                referral_id=referral_id,
                kind=NotificationKind.NEW_REFERRAL,
                created_at=start + timedelta(minutes=n),
                **fields,
            )
            for n, referral_id in enumerate(referral_ids)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def is_read(app: Flask, notification_id: int) -> bool:
    with app.app_context():
        notification = db.session.get(Notification, notification_id)
        assert notification is not None
        return notification.read_at is not None


def signed_in(app: Flask, user: User):
    from tests.conftest import login

    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_unread_count_in_the_navigation(app, world):
    client = signed_in(app, world.partner)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/notifications"' in page
    assert 'data-testid="unread-count"' not in page
    add_notifications(app, world.partner, [world.referral_id] * 3)
    add_notifications(app, world.partner, [world.referral_id], read_at=utcnow())
    add_notifications(app, world.partner_2, [world.referral_id])
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread-count">3</span>' in page
    with app.app_context():
        assert services.unread_count(world.partner) == 3
        assert services.unread_count(world.partner_2) == 1


def test_the_unread_count_stops_at_99_plus(app, world):
    """Counting a backlog of any size would make every page slower as it grows."""
    add_notifications(app, world.partner, [world.referral_id] * (services.UNREAD_COUNT_CAP + 5))
    page = signed_in(app, world.partner).get("/").get_data(as_text=True)
    assert 'data-testid="unread-count">99+</span>' in page
    with app.app_context():
        assert services.unread_count(world.partner) == services.UNREAD_COUNT_CAP


def test_list_shows_own_notifications_newest_first_and_pages_by_keyset(app, world):
    ids = [add_referral(app, world) for _ in range(3)]
    add_notifications(app, world.partner, [referral_id for referral_id, _ in ids])
    add_notifications(app, world.partner_2, [world.referral_id])
    client = signed_in(app, world.partner)
    app.config["PAGE_SIZE"], size = 2, app.config["PAGE_SIZE"]
    try:
        first = client.get("/notifications").get_data(as_text=True)
        assert first.count('data-testid="notification"') == 2
        newest, middle, oldest = ids[2][1], ids[1][1], ids[0][1]
        assert first.index(newest) < first.index(middle)
        assert oldest not in first
        assert world.public_id not in first  # partner_2's notification
        assert 'class="fw-bold"' in first
        older = first.split('href="/notifications?after=')[1].split('"')[0]
        second = client.get(f"/notifications?after={older}").get_data(as_text=True)
        assert oldest in second
        assert newest not in second
        assert second.count('data-testid="notification"') == 1
        assert 'href="/notifications?after=' not in second
        assert client.get("/notifications?after=garbage").status_code == 200
    finally:
        app.config["PAGE_SIZE"] = size


def test_list_shows_no_client_details(app, world):
    add_notifications(app, world.partner, [world.referral_id])
    page = signed_in(app, world.partner).get("/notifications").get_data(as_text=True)
    assert world.public_id in page
    for secret in (world.client_code, NOTE, COUNTY, LANGUAGE, SITUATION):
        assert secret not in page


def test_open_marks_read_and_goes_to_the_referral(app, world):
    (notification_id,) = add_notifications(app, world.partner, [world.referral_id])
    client = signed_in(app, world.partner)
    response = client.post(f"/notifications/{notification_id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/referrals/{world.public_id}"
    assert is_read(app, notification_id)
    assert 'data-testid="unread-count"' not in client.get("/notifications").get_data(as_text=True)


def test_someone_elses_notification_is_404_and_stays_unread(app, world):
    (notification_id,) = add_notifications(app, world.partner_2, [world.referral_id])
    client = signed_in(app, world.partner)
    assert client.post(f"/notifications/{notification_id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    assert not is_read(app, notification_id)
    with app.app_context(), pytest.raises(LookupError):
        services.mark_read(notification_id, user=world.partner)


def test_opening_a_notification_needs_a_post_with_a_csrf_token(app, world):
    (notification_id,) = add_notifications(app, world.partner, [world.referral_id])
    client = signed_in(app, world.partner)
    assert client.get(f"/notifications/{notification_id}/read").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True  # the app fixture turns it off again
    assert client.post(f"/notifications/{notification_id}/read").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    assert not is_read(app, notification_id)


def test_read_all_marks_only_own_notifications(app, world):
    own = add_notifications(app, world.partner, [world.referral_id] * 3)
    (theirs,) = add_notifications(app, world.partner_2, [world.referral_id])
    client = signed_in(app, world.partner)
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert response.request.path == "/notifications"
    assert "3 notifications marked read." in response.get_data(as_text=True)
    assert all(is_read(app, n) for n in own)
    assert not is_read(app, theirs)
    with app.app_context():
        assert services.mark_all_read(world.partner) == 0


def test_signed_out_users_are_sent_to_login(app, world):
    client = app.test_client()
    response = client.get("/notifications")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- query counts --------------------------------------------------------------------------


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run on the app's engine (call inside an app context)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_unread_count_is_one_query_however_many_notifications(app, world):
    counts = []
    for batch in (1, 20):
        add_notifications(app, world.partner, [world.referral_id] * batch)
        with app.app_context(), count_queries() as statements:
            services.unread_count(world.partner)
        counts.append(len(statements))
    assert counts == [1, 1]


def test_list_page_queries_do_not_grow_with_notifications(app, world):
    client = signed_in(app, world.partner)
    counts = []
    for batch in (1, 6):
        referral_ids = [add_referral(app, world)[0] for _ in range(batch)]
        add_notifications(app, world.partner, referral_ids)
        client.get("/notifications")  # warm the once-a-minute demo check
        with app.app_context(), count_queries() as statements:
            page = client.get("/notifications").get_data(as_text=True)
        counts.append(len(statements))
    assert page.count('data-testid="notification"') == 7
    assert counts[0] == counts[1]


# --- e-mail --------------------------------------------------------------------------------


class Collector:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(
        self, server, session, envelope
    ) -> str:  # aiosmtpd looks hooks up by name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or b""))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(port: int) -> Iterator[Collector]:
    """A real SMTP server on loopback for the duration of the block."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector
    finally:
        controller.stop()


@pytest.fixture
def mail_to(app: Flask) -> Iterator[Callable[[int], None]]:
    """Point Flask-Mail at a loopback port and really send; settings restored afterwards."""
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_SUPPRESS_SEND", "MAIL_USE_TLS", "MAIL_USE_SSL")
    saved = {key: app.config.get(key) for key in keys}

    def point(port: int) -> None:
        app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
            MAIL_SUPPRESS_SEND=False,
            MAIL_USE_TLS=False,
            MAIL_USE_SSL=False,
        )
        mail.init_app(app)  # Flask-Mail copies the settings when it is initialised

    yield point
    for key, value in saved.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value
    mail.init_app(app)


def raise_all(app: Flask, world: World) -> None:
    """Notifications of every kind about the world's referral."""
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        services.notify_transition(referral, "send", by=world.sender)
        services.notify_transition(referral, "accept", by=world.partner)
        services.notify_transition(referral, "enroll", by=world.partner)
        services.notify_overdue(referral)
        services.notify_escalation(referral)
        services.notify_transition(referral, "cancel", by=world.sender)
        db.session.commit()


def pending(app: Flask) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Notification)
                .where(Notification.emailed_at.is_(None))
            )
        )


def forbidden_strings(world: World) -> list[str]:
    """Everything about the client. (The referral's code, its program and the two
    organizations are named: #19 item 8.)"""
    needs = ["dental_care", "court_advocacy", "Dental care", "Court advocacy"]
    return [
        world.client_code,
        AgeBand.AGE_16_17.value,
        AgeBand.AGE_16_17.label,
        "16",
        Gender.TRANSGENDER_MALE.value,
        Gender.TRANSGENDER_MALE.label,
        "transgender",
        *needs,
        *(str(ServiceType(code).label) for code in ("dental_care", "court_advocacy")),
        COUNTY,
        "Clay",
        NOTE,
        "bus line",
        SITUATION,
        LANGUAGE,
    ]


def test_emails_carry_a_link_and_no_client_details(app, world, mail_to):
    raise_all(app, world)
    expected = pending(app)
    assert expected == 3 + 1 + 1 + 4 + 1 + 3  # send, accept, enroll, overdue, escalate, cancel
    port = free_port()
    mail_to(port)
    with smtp_server(port) as server, app.app_context():
        sent = services.deliver_pending_emails()
        db.session.commit()
    assert sent == expected == len(server.messages)
    assert pending(app) == 0
    link = f"{app.config['BASE_URL']}/referrals/{world.public_id}"
    subjects = set()
    for recipients, raw in server.messages:
        message = message_from_bytes(raw, policy=policy.default)
        body = message.get_content()
        subjects.add(str(message["Subject"]))
        assert len(recipients) == 1
        assert link in body
        assert "contains no client information" in body
        # Headers included: the subject and anything else must not leak either.
        text = raw.decode("utf-8", errors="replace")
        # The Date header holds digits, so check the number only where people read.
        for secret in forbidden_strings(world):
            where = body + str(message["Subject"]) if secret == "16" else text
            assert secret.lower() not in where.lower(), secret
    # Each names the referral and what happened, e.g. the sender's news of the acceptance.
    accepted = f"{world.receiving_org.name} accepted referral {world.public_id} to {PROGRAM}."
    assert sum(accepted in raw.decode() for _, raw in server.messages) == 1
    assert subjects == {
        "[KC Referrals] New referral received",
        "[KC Referrals] Referral update",
        "[KC Referrals] Referral overdue",
        "[KC Referrals] Referral escalated",
        "[KC Referrals] Referral withdrawn",
    }
    addresses = {r[0] for r, _ in server.messages}
    assert world.partner_inactive.email not in addresses
    assert world.other_partner.email not in addresses
    with app.app_context():
        stamps = db.session.scalars(sa.select(Notification.emailed_at)).all()
    assert all(stamp is not None for stamp in stamps)


def test_inactive_recipients_get_no_email(app, world, mail_to):
    add_notifications(app, world.partner_inactive, [world.referral_id])
    add_notifications(app, world.partner, [world.referral_id])
    port = free_port()
    mail_to(port)
    with smtp_server(port) as server, app.app_context():
        assert services.deliver_pending_emails() == 1
        db.session.commit()
    assert [r for r, _ in server.messages] == [[world.partner.email]]
    assert pending(app) == 1


def test_mail_server_down_is_retried_later_and_logs_no_addresses(app, world, mail_to, caplog):
    raise_all(app, world)
    expected = pending(app)
    port = free_port()  # nobody listens here yet
    mail_to(port)
    with app.app_context(), caplog.at_level(logging.WARNING):
        assert services.deliver_pending_emails() == 0
        db.session.commit()
    assert pending(app) == expected
    assert "mail server unavailable" in caplog.text
    for user in (world.partner, world.sender, world.sender_supervisor):
        assert user.email not in caplog.text
    assert world.public_id not in caplog.text
    with smtp_server(port) as server, app.app_context():
        assert services.deliver_pending_emails(limit=5) == 5
        assert services.deliver_pending_emails() == expected - 5
        db.session.commit()
    assert len(server.messages) == expected
    assert pending(app) == 0


def test_suppressed_mail_in_testing_still_marks_rows(app, world):
    # TESTING suppresses sending: nothing leaves the machine, and the outbox drains.
    add_notifications(app, world.partner, [world.referral_id])
    with app.app_context(), mail.record_messages() as outbox:
        assert services.deliver_pending_emails() == 1
        db.session.commit()
    assert len(outbox) == 1
    assert outbox[0].recipients == [world.partner.email]
    assert pending(app) == 0


def test_every_notification_kind_has_an_email_and_a_line(app):
    """A kind without wording would stop the sweep's e-mail delivery (a KeyError)."""
    from referrals.notifications.emails import _wording
    from referrals.notifications.wording import About, headline, what_happened

    about = About("CODE", "Program", "Sender", "Receiver")
    with app.test_request_context():
        for kind in NotificationKind:
            assert all(_wording(kind)), kind
            assert headline(kind), kind
            line = what_happened(kind, None, about)
            assert line, kind
            assert ("CODE" in line) == kind.about_a_referral, kind


def test_emails_go_out_in_the_recipients_saved_language(app, world):
    # The sweep has no request: each e-mail takes its recipient's saved language.
    add_notifications(app, world.partner, [world.referral_id])
    add_notifications(app, world.sender, [world.referral_id])
    with app.app_context():
        db.session.get(User, world.partner.id).locale = "es"
        db.session.commit()
    with app.app_context(), mail.record_messages() as outbox:
        assert services.deliver_pending_emails() == 2
        db.session.commit()
    by_address = {message.recipients[0]: message for message in outbox}
    spanish, english = by_address[world.partner.email], by_address[world.sender.email]
    assert spanish.subject != english.subject
    assert "contains no client information" in english.body
    assert "contains no client information" not in spanish.body
    assert "cliente" in spanish.body
