"""The rollups: kept in step by the lifecycle, checked by ``flask rollups check``, rebuilt."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from referrals.auth.models import User
from referrals.dashboard import stats
from referrals.db_types import utcnow
from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake import services as intake_services
from referrals.intake.models import Consent, Intake
from referrals.lifecycle import services
from referrals.localtime import local_date
from referrals.programs.models import Program
from referrals.rollups.periods import SPANS, covering, day_number, period_start
from referrals.rollups.tables import TABLES, status_rollups

pytestmark = pytest.mark.usefixtures("rollups_agree")


def check(app):
    return app.test_cli_runner().invoke(args=["rollups", "check"])


def _consent_and_send(intake_id, program_id, by, organization_id):
    """Record consent for one organization and send a referral through the lifecycle."""
    intake_services.record_consent(
        db.session.get(Intake, intake_id),
        by=by,
        organization_ids=[organization_id],
        expires_at=utcnow() + timedelta(days=90),
    )
    referral = services.create_draft(
        db.session.get(Intake, intake_id), db.session.get(Program, program_id), by=by
    )
    services.act(referral, "send", by=by)
    db.session.commit()
    return referral


@pytest.fixture
def sent(app, make_org, make_user, make_program, make_intake):
    """A referral sent, accepted and enrolled through the lifecycle; its consent's id."""
    sender = make_org(name="Sender", receives=False)
    receiver = make_org(name="Receiver", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sender)
    partner = make_user(Role.PARTNER, org=receiver)
    program = make_program(org=receiver)
    intake = make_intake(by=caseworker)
    with app.app_context():
        by = db.session.get(User, caseworker.id)
        referral = _consent_and_send(intake.id, program.id, by, receiver.id)
        consent = db.session.scalars(sa.select(Consent).where(Consent.intake_id == intake.id)).one()
        for action in ("accept", "enroll"):
            services.act(referral, action, by=db.session.get(User, partner.id))
            db.session.commit()
        return referral.id, consent.id, caseworker.id


def test_lifecycle_moves_keep_the_rollups_in_step(app, sent):
    assert check(app).exit_code == 0
    with app.app_context():
        stored = db.session.execute(
            sa.select(
                status_rollups.c.side,
                status_rollups.c.status,
                status_rollups.c.referrals,
                status_rollups.c.sent_by_id != 0,
                status_rollups.c.consent_week != 0,
            )
            .where(status_rollups.c.span == 1, status_rollups.c.referrals != 0)
            .order_by(status_rollups.c.side)
        ).all()
    # Once for each side: the sender's row is not split by consent, the partner's not by
    # who sent it.
    assert stored == [
        ("received", "in_progress", 1, False, True),
        ("sent", "in_progress", 1, True, False),
    ]


def test_a_referral_to_an_organizations_own_program_counts_once(
    app, make_org, make_user, make_program, make_intake
):
    both = make_org(name="Refers and receives", refers=True, receives=True)
    supervisor = make_user(Role.SUPERVISOR, org=both)
    caseworker = make_user(Role.CASEWORKER, org=both)
    program = make_program(org=both)
    intake = make_intake(by=caseworker)
    with app.app_context():
        _consent_and_send(intake.id, program.id, db.session.get(User, caseworker.id), both.id)
        sides = db.session.scalars(
            sa.select(status_rollups.c.side).where(
                status_rollups.c.span == 1, status_rollups.c.referrals != 0
            )
        ).all()
        assert sides == ["both"]
        user = db.session.get(User, supervisor.id)
        now = utcnow()
        scope = stats.scope_for(user, now)
        today = local_date(now)
        counts = stats.breakdown(scope, stats.Filters(start=today, end=today)).by_status
    assert counts[ReferralStatus.REQUESTED] == {"sent": 1, "received": 1, "total": 1}


def test_revoking_consent_moves_the_referral_out_of_the_partners_rows(app, sent):
    _referral, consent_id, caseworker_id = sent
    with app.app_context():
        intake_services.revoke_consent(
            db.session.get(Consent, consent_id), by=db.session.get(User, caseworker_id)
        )
        db.session.commit()
        weeks = db.session.scalars(
            sa.select(status_rollups.c.consent_week).where(status_rollups.c.referrals != 0)
        ).all()
    assert set(weeks) == {0}  # no active consent names the partner any more (nor the sender)
    assert check(app).exit_code == 0


def test_check_exits_1_after_a_hand_edited_row_and_rebuild_mends_it(app, sent):
    with app.app_context():
        db.session.execute(
            sa.update(status_rollups)
            .where(status_rollups.c.span == 7, status_rollups.c.referrals == 1)
            .values(referrals=2)
        )
        db.session.commit()
    result = check(app)
    assert result.exit_code == 1
    assert "rollup_statuses" in result.output
    assert "stored (2, 1), referrals give (1, 1)" in result.output
    rebuilt = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert check(app).exit_code == 0


def test_rebuild_gives_the_rows_the_changes_gave(app, sent):
    def everything():
        with app.app_context():
            return {
                table.name: sorted(
                    tuple(row)
                    for row in db.session.execute(sa.select(table)).all()
                    if any(row[len(table.primary_key.columns) :])
                )
                for table in TABLES
            }

    before = everything()
    assert all(before.values())
    assert app.test_cli_runner().invoke(args=["rollups", "rebuild"]).exit_code == 0
    assert everything() == before


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 9, 8), date(2026, 12, 7)),  # the dashboard's default 90 days
        (date(2026, 12, 7), date(2026, 12, 7)),
        (date(2023, 1, 1), date(2026, 12, 31)),
        (date(2026, 12, 5), date(2026, 12, 4)),  # empty
    ],
)
def test_a_range_is_a_few_whole_periods_that_cover_it_exactly(first, last):
    periods = covering(day_number(first), day_number(last))
    days = [d for span, start in periods for d in range(start, start + span)]
    assert days == list(range(day_number(first), day_number(last) + 1))
    assert all(span in SPANS and period_start(start, span) == start for span, start in periods)
    assert len(periods) <= 2 * (6 + 3 + 11) + (last - first).days // 336 + 1
