"""``bench.generate``: a synthetic coalition with consistent timelines, never over real data."""

from __future__ import annotations

import re

import pyotp
import sqlalchemy as sa

from bench.generate import gen_load_command
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.db_types import utcnow
from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization, Program
from tests.conftest import PASSWORD, login

PUBLIC_ID = re.compile(r"[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}")


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_gen_load_writes_consistent_referrals_and_a_dashboard_renders(app):
    result = app.test_cli_runner().invoke(
        gen_load_command, args=["--referrals", "300", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output
    with app.app_context():
        assert _count(Referral) == 300
        assert 80 <= _count(Intake) <= 100  # about three referrals per intake
        assert _count(Consent) == _count(Intake)
        assert _count(Program) == 40
        orgs = db.session.scalars(sa.select(Organization)).all()
        assert len(orgs) == 12
        assert all(org.is_demo and org.name.startswith("Load Test Partner ") for org in orgs)
        referrals = db.session.scalars(sa.select(Referral)).all()
        statuses = {r.status for r in referrals}
        assert len(statuses) >= 5
        assert ReferralStatus.COMPLETED in statuses
        assert ReferralStatus.REJECTED in statuses
        for r in referrals:
            assert PUBLIC_ID.fullmatch(r.public_id)
            assert r.note == ""
            assert r.version == 1
            assert r.receiving_organization_id == r.program.organization_id
            assert r.sending_organization_id != r.receiving_organization_id
            if r.status == ReferralStatus.DRAFT:
                assert r.sent_at is None
                assert r.responded_at is None
                continue
            assert r.created_at <= r.sent_at < r.response_due_at
            for later in (r.first_viewed_at, r.responded_at, r.closed_at):
                assert later is None or later >= r.sent_at
            if r.first_viewed_at and r.responded_at:
                assert r.first_viewed_at <= r.responded_at
            if r.accepted_at is not None:
                assert r.accepted_at >= r.responded_at >= r.sent_at
            if r.enrolled_at is not None:
                assert r.enrolled_at >= r.accepted_at
            if r.closed_at is not None and r.enrolled_at is not None:
                assert r.closed_at >= r.enrolled_at
            assert (r.decline_reason is not None) == (r.status == ReferralStatus.REJECTED)
            if r.status in {ReferralStatus.COMPLETED, ReferralStatus.FAILED}:
                assert r.outcome is not None
                assert r.closed_at is not None
            if r.status == ReferralStatus.CANCELLED:
                assert r.cancel_reason is not None
            assert r.updated_at >= r.created_at
        # The generated coalition covers its receivers with consent.
        for r in referrals[:50]:
            assert any(
                c.covers(r.receiving_organization_id, r.sent_at or r.created_at)
                or c.revoked_at is not None
                for c in r.intake.consents
            )
        hub = db.session.scalar(
            sa.select(Organization).where(
                Organization.refers.is_(True), Organization.receives.is_(True)
            )
        )
        supervisor = User(
            email="load-supervisor@example.org",
            display_name="Load supervisor",
            role=Role.SUPERVISOR,
            organization=hub,
            password_hash=hash_password(PASSWORD),
            is_demo=True,
            totp_secret=pyotp.random_base32(),
            mfa_enrolled_at=utcnow(),
        )
        db.session.add(supervisor)
        db.session.commit()
        db.session.refresh(supervisor)
        db.session.expunge(supervisor)
    client = app.test_client()
    assert login(client, supervisor).status_code == 302
    page = client.get("/dashboard?from=2000-01-01")
    assert page.status_code == 200
    assert "Load Test Partner" in page.get_data(as_text=True)


def test_gen_load_refuses_real_data_unless_forced(app, make_org):
    make_org(name="A real shelter", slug="a-real-shelter")
    runner = app.test_cli_runner()
    refused = runner.invoke(gen_load_command, args=["--referrals", "30"])
    assert refused.exit_code != 0
    assert "refusing" in refused.output
    assert "--force" in refused.output
    with app.app_context():
        assert _count(Referral) == 0
        assert _count(Organization) == 1
    forced = runner.invoke(gen_load_command, args=["--referrals", "30", "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert _count(Referral) == 30
