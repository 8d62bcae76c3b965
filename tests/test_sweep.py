"""``flask sweep``: reminders, escalation, consent and unanswered expiry, idempotence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import CancelReason, NotificationKind, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle import sweep as sweep_module
from referrals.lifecycle.models import Notification, Referral, ReferralEvent
from referrals.lifecycle.sweep import sweep
from referrals.programs.models import Organization, Program
from tests.conftest import login, sibling_program

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

HOURS = 24  # the program's promised response time: one overdue period


@dataclass
class World:
    sender: Organization
    receiver: Organization
    caseworker: User
    supervisor: User
    partner: User
    program: Program
    intake: Intake


def add_consent(app, intake, org, *, by, given_at, expires_at):
    """Consent of ``intake`` naming ``org`` for the given window."""
    with app.app_context():
        db.session.add(
            Consent(
                intake_id=intake.id,
                given_at=given_at,
                expires_at=expires_at,
                recorded_by_id=by.id,
                organizations=[db.session.get(Organization, org.id)],
            )
        )
        db.session.commit()


@pytest.fixture
def now():
    """The moment the tests call "now"; sweeps move the clock from here."""
    return utcnow().replace(microsecond=0)


@pytest.fixture
def world(app, make_org, make_user, make_program, make_intake, now):
    """A sending and a receiving organization, a 24-hour program, a consented intake."""
    sender, receiver = make_org(), make_org()
    caseworker = make_user(Role.CASEWORKER, org=sender)
    world = World(
        sender=sender,
        receiver=receiver,
        caseworker=caseworker,
        supervisor=make_user(Role.SUPERVISOR, org=sender),
        partner=make_user(Role.PARTNER, org=receiver),
        program=make_program(org=receiver, response_time_hours=HOURS),
        intake=make_intake(by=caseworker),
    )
    add_consent(
        app,
        world.intake,
        receiver,
        by=caseworker,
        given_at=now - timedelta(days=30),
        expires_at=now + timedelta(days=365),
    )
    return world


def add_referral(app, world, *, sent_at, status=ReferralStatus.REQUESTED, intake=None):
    """A sent referral with a 24-hour response time; returns (id, public_id)."""
    with app.app_context():
        referral = Referral(
            intake_id=(intake or world.intake).id,
            program_id=sibling_program(world.program.id),
            receiving_organization_id=world.receiver.id,
            sending_organization_id=world.sender.id,
            sent_by_id=world.caseworker.id,
            status=status,
            sent_at=sent_at,
            response_due_at=sent_at + timedelta(hours=HOURS),
        )
        db.session.add(referral)
        db.session.commit()
        return referral.id, referral.public_id


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def events(app, referral_id, kind):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(ReferralEvent)
                .where(ReferralEvent.referral_id == referral_id, ReferralEvent.kind == kind)
                .order_by(ReferralEvent.id)
            )
        )


def run_sweep(app, **kwargs):
    with app.app_context():
        return sweep(**kwargs)


def test_one_reminder_per_overdue_period(app, world, now):
    referral_id, _ = add_referral(app, world, sent_at=now - timedelta(hours=30))  # 6 h overdue

    report = run_sweep(app, now=now)
    assert report.reminders == 1
    first = count(app, Notification, Notification.kind == NotificationKind.OVERDUE)
    assert first > 0

    # Later in the same period: nothing new.
    assert run_sweep(app, now=now + timedelta(hours=17)).reminders == 0
    assert [e.reason for e in events(app, referral_id, "reminder")] == ["1"]
    assert count(app, Notification, Notification.kind == NotificationKind.OVERDUE) == first

    # The next period starts 24 hours after the due time: one more reminder.
    assert run_sweep(app, now=now + timedelta(hours=18)).reminders == 1
    reminders = events(app, referral_id, "reminder")
    assert [e.reason for e in reminders] == ["1", "2"]
    assert all(e.actor_id is None for e in reminders)
    assert count(app, Notification, Notification.kind == NotificationKind.OVERDUE) == 2 * first


def test_a_missed_period_gives_one_reminder_not_a_backlog(app, world, now):
    referral_id, _ = add_referral(app, world, sent_at=now - timedelta(hours=24 * 5 - 1))
    assert run_sweep(app, now=now).reminders == 1
    assert [e.reason for e in events(app, referral_id, "reminder")] == ["4"]


def test_no_reminder_for_accepted_or_not_yet_due_referrals(app, world, now):
    add_referral(app, world, sent_at=now - timedelta(hours=30), status=ReferralStatus.ACCEPTED)
    add_referral(app, world, sent_at=now - timedelta(hours=23))

    report = run_sweep(app, now=now)

    assert report.reminders == 0
    assert report.escalations == 0
    assert count(app, ReferralEvent) == 0
    assert count(app, Notification) == 0
    assert count(app, AuditEvent, AuditEvent.action.like("sweep.%")) == 0


def test_escalation_once_after_two_periods_to_the_sending_supervisors(app, world, make_user, now):
    second_supervisor = make_user(Role.SUPERVISOR, org=world.sender)
    make_user(Role.SUPERVISOR, org=world.receiver)  # the other side: not escalated to
    referral_id, _ = add_referral(app, world, sent_at=now - timedelta(hours=30))

    assert run_sweep(app, now=now).escalations == 0  # 30 hours: one period is not enough
    assert run_sweep(app, now=now + timedelta(hours=18)).escalations == 1  # 48 hours
    assert run_sweep(app, now=now + timedelta(hours=90)).escalations == 0  # never twice

    [escalation] = events(app, referral_id, "escalation")
    assert escalation.actor_id is None
    with app.app_context():
        recipients = set(
            db.session.scalars(
                sa.select(Notification.recipient_id).where(
                    Notification.kind == NotificationKind.ESCALATION
                )
            )
        )
    assert recipients == {world.supervisor.id, second_supervisor.id}
    assert count(app, AuditEvent, AuditEvent.action == "sweep.escalations") == 1


# The partner's 200 on a still-covered referral shows the 404 comes from the expiry, not
# from a missing page.
def test_consent_expiry_cancels_the_referral_and_hides_it_from_the_partner(
    app, world, make_intake, now
):
    expired_intake = make_intake(by=world.caseworker)
    add_consent(
        app,
        expired_intake,
        world.receiver,
        by=world.caseworker,
        given_at=now - timedelta(days=90),
        expires_at=now - timedelta(hours=1),
    )
    expired_id, expired_public_id = add_referral(
        app, world, sent_at=now - timedelta(hours=30), intake=expired_intake
    )
    _, covered_public_id = add_referral(app, world, sent_at=now - timedelta(hours=2))

    report = run_sweep(app)

    assert report.consent_cancellations == 1
    assert report.reminders == 0  # nobody is asked to answer a referral about to be cancelled
    with app.app_context():
        referral = db.session.get(Referral, expired_id)
        assert referral.status == ReferralStatus.CANCELLED
        assert referral.cancel_reason == CancelReason.CONSENT_EXPIRED
        assert referral.closed_at is not None
    [change] = events(app, expired_id, "status_change")
    assert (change.from_status, change.to_status) == (
        ReferralStatus.REQUESTED,
        ReferralStatus.CANCELLED,
    )
    assert change.reason == "consent_expired"
    assert change.actor_id is None
    assert count(app, AuditEvent, AuditEvent.action == "sweep.consent_cancellations") == 1

    client = app.test_client()
    assert login(client, world.partner).status_code == 302
    assert client.get(f"/referrals/{covered_public_id}").status_code == 200
    assert client.get(f"/referrals/{expired_public_id}").status_code == 404


def test_unanswered_expiry_is_off_by_default(app, world, now):
    referral_id, _ = add_referral(app, world, sent_at=now - timedelta(days=400))

    report = run_sweep(app, now=now)

    assert report.expired_cancellations == 0
    with app.app_context():
        assert db.session.get(Referral, referral_id).status == ReferralStatus.REQUESTED


def test_unanswered_expiry_cancels_old_requested_referrals(app, world, now, monkeypatch):
    monkeypatch.setitem(app.config, "REFERRAL_EXPIRE_DAYS", 14)
    stale, _ = add_referral(app, world, sent_at=now - timedelta(days=15))
    recent, _ = add_referral(app, world, sent_at=now - timedelta(days=13))
    accepted, _ = add_referral(
        app, world, sent_at=now - timedelta(days=15), status=ReferralStatus.ACCEPTED
    )

    report = run_sweep(app, now=now)

    assert report.expired_cancellations == 1
    with app.app_context():
        referral = db.session.get(Referral, stale)
        assert referral.status == ReferralStatus.CANCELLED
        assert referral.cancel_reason == CancelReason.UNANSWERED
        assert db.session.get(Referral, recent).status == ReferralStatus.REQUESTED
        assert db.session.get(Referral, accepted).status == ReferralStatus.ACCEPTED
    [change] = events(app, stale, "status_change")
    assert change.reason == "unanswered"
    assert change.actor_id is None
    # The receiving staff are told the referral was withdrawn.
    assert count(app, Notification, Notification.kind == NotificationKind.CANCELLED) == 1
    assert count(app, AuditEvent, AuditEvent.action == "sweep.expired_cancellations") == 1
    assert run_sweep(app, now=now).expired_cancellations == 0


def snapshot(app):
    return {
        model.__name__: count(app, model) for model in (ReferralEvent, Notification, AuditEvent)
    } | {"cancelled": count(app, Referral, Referral.status == ReferralStatus.CANCELLED)}


def test_a_second_sweep_at_the_same_moment_changes_nothing(
    app, world, make_intake, now, monkeypatch
):
    monkeypatch.setitem(app.config, "REFERRAL_EXPIRE_DAYS", 30)
    add_referral(app, world, sent_at=now - timedelta(hours=30))  # a reminder
    add_referral(app, world, sent_at=now - timedelta(hours=60))  # a reminder and escalation
    add_referral(app, world, sent_at=now - timedelta(days=31))  # unanswered too long
    lapsed = make_intake(by=world.caseworker)
    add_consent(
        app,
        lapsed,
        world.receiver,
        by=world.caseworker,
        given_at=now - timedelta(days=90),
        expires_at=now - timedelta(days=1),
    )
    add_referral(app, world, sent_at=now - timedelta(days=2), intake=lapsed)

    first = run_sweep(app, now=now)
    after_first = snapshot(app)
    second = run_sweep(app, now=now)

    assert (first.reminders, first.escalations) == (3, 2)
    assert (first.consent_cancellations, first.expired_cancellations) == (1, 1)
    assert first.emails_sent == count(app, Notification)  # every notification e-mailed
    assert second.counts() == dict.fromkeys(second.counts(), 0)
    assert snapshot(app) == after_first


def test_cli_prints_the_counts(app, world, now):
    add_referral(app, world, sent_at=now - timedelta(hours=30))

    result = app.test_cli_runner().invoke(args=["sweep"])

    assert result.exit_code == 0, result.output
    assert "overdue reminders: 1" in result.output
    assert "escalations to supervisors: 0" in result.output
    assert "cancelled (consent expired): 0" in result.output
    assert "cancelled (unanswered): 0" in result.output
    assert "e-mails sent: 2" in result.output  # the partner and the caseworker who sent it
    assert count(app, ReferralEvent, ReferralEvent.kind == "reminder") == 1


def test_cli_dry_run_reports_and_writes_nothing(app, world, now):
    add_referral(app, world, sent_at=now - timedelta(hours=30))
    before = snapshot(app)

    result = app.test_cli_runner().invoke(args=["sweep", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert "overdue reminders: 1" in result.output
    assert "e-mails to send: 2" in result.output
    assert snapshot(app) == before
    assert count(app, Notification, Notification.emailed_at.is_not(None)) == 0
    # The real run still finds the work the dry run only counted.
    assert run_sweep(app).reminders == 1


def reminder_step_statements(app, now, monkeypatch):
    """Statements (other than INSERTs) the reminder step issues, with notify_overdue stubbed.

    notify_overdue itself costs one SELECT of recipients per referral; that belongs to the
    notifications module, so it is stubbed here and counted separately.
    """
    notified = []
    monkeypatch.setattr(sweep_module, "notify_overdue", notified.append)
    statements = []

    def before_cursor_execute(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
        try:
            reminded = sweep_module.send_reminders(now)
            db.session.flush()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before_cursor_execute)
            db.session.rollback()
    assert reminded == len(notified)
    return reminded, [s for s in statements if not s.lstrip().upper().startswith("INSERT")]


def test_reminder_queries_do_not_grow_with_the_number_of_overdue_referrals(
    app, world, now, monkeypatch
):
    for hours in range(3):
        add_referral(app, world, sent_at=now - timedelta(hours=30 + hours))
    three, few = reminder_step_statements(app, now, monkeypatch)
    for hours in range(27):
        add_referral(app, world, sent_at=now - timedelta(hours=40 + hours))
    thirty, many = reminder_step_statements(app, now, monkeypatch)

    assert (three, thirty) == (3, 30)
    assert len(many) == len(few) <= 2


def test_sweep_purges_intakes_closed_longer_than_the_retention_period(app, world, make_intake, now):
    """DESIGN §10: the cron sweep also applies retention (RETENTION_DAYS, 730 by default)."""
    old = make_intake(
        by=world.caseworker,
        situation_note="Met at the bus station.",
        is_open=False,
        closed_at=now - timedelta(days=800),
    )
    recent = make_intake(
        by=world.caseworker,
        situation_note="Needs a bed this week.",
        is_open=False,
        closed_at=now - timedelta(days=10),
    )
    with app.app_context():
        first = sweep(now=now)
        second = sweep(now=now + timedelta(minutes=5))
        assert (first.intakes_purged, second.intakes_purged) == (1, 0)
        assert db.session.get(Intake, old.id).situation_note == ""
        assert db.session.get(Intake, recent.id).situation_note == "Needs a bed this week."
        purges = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "retention.purged")
        ).all()
        assert len(purges) == 1  # the empty second run leaves no event


def test_retention_in_the_sweep_can_be_switched_off(app, world, make_intake, now, monkeypatch):
    make_intake(by=world.caseworker, is_open=False, closed_at=now - timedelta(days=800))
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 0)
    with app.app_context():
        assert sweep(now=now).intakes_purged == 0
