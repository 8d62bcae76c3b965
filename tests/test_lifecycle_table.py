"""The lifecycle is data: each row names its effects, and system moves obey the table too."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from referrals import access
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import CancelReason, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle import services
from referrals.lifecycle.effects import KeepReason, Notify, Stamp
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.lifecycle.transitions import SYSTEM_CANCEL, TRANSITIONS, Side
from referrals.programs.models import Organization

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

S = ReferralStatus


def test_every_move_that_closes_a_referral_stamps_closed_at():
    terminal = {S.REJECTED, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR}
    for transition in (*TRANSITIONS, SYSTEM_CANCEL):
        closes = transition.target in terminal
        assert (Stamp("closed_at") in transition.effects) == closes, transition.action


def test_a_move_with_coded_reasons_keeps_its_reason_and_one_without_keeps_none():
    for transition in (*TRANSITIONS, SYSTEM_CANCEL):
        keeps = [effect for effect in transition.effects if isinstance(effect, KeepReason)]
        assert bool(keeps) == (transition.reasons is not None), transition.action


def test_every_move_tells_the_other_side():
    for transition in (*TRANSITIONS, SYSTEM_CANCEL):
        assert isinstance(transition.notify, Notify), transition.action


def test_no_person_can_take_a_system_move():
    assert SYSTEM_CANCEL.side is Side.SYSTEM
    assert SYSTEM_CANCEL.action not in {t.action for t in TRANSITIONS}
    assert SYSTEM_CANCEL.audit_action == "referral.cancel"


@pytest.fixture
def referral_at(app, make_org, make_user, make_program, make_intake):
    """A referral put directly in a status, with consent covering the receiver."""
    sending = make_org(receives=False)
    receiving = make_org(refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sending)
    partner = make_user(Role.PARTNER, org=receiving)
    program = make_program(org=receiving)
    intake = make_intake(by=caseworker)

    def make(status: S) -> int:
        with app.app_context():
            now = utcnow()
            db.session.add(
                Consent(
                    intake_id=intake.id,
                    given_at=now - timedelta(days=1),
                    expires_at=now + timedelta(days=10),
                    recorded_by_id=caseworker.id,
                    organizations=[db.session.get(Organization, receiving.id)],
                )
            )
            referral = Referral(
                intake_id=intake.id,
                program_id=program.id,
                receiving_organization_id=receiving.id,
                sending_organization_id=sending.id,
                sent_by_id=caseworker.id,
                status=status,
                sent_at=now,
                response_due_at=now + timedelta(days=1),
            )
            db.session.add(referral)
            db.session.commit()
            return referral.id

    make.users = (caseworker, partner)  # type: ignore[attr-defined]
    make.intake_id = intake.id  # type: ignore[attr-defined]
    return make


@pytest.mark.parametrize("status", [S.COMPLETED, S.REJECTED, S.CANCELLED, S.DRAFT])
def test_a_system_cancel_checks_where_the_referral_stands(app, referral_at, status):
    referral_id = referral_at(status)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        version = referral.version
        with pytest.raises(services.ReferralError):
            services.system_cancel(referral, reason=CancelReason.UNANSWERED)
        db.session.rollback()
        referral = db.session.get(Referral, referral_id)
        assert (referral.status, referral.version) == (status, version)
        events = sa.select(sa.func.count()).where(ReferralEvent.referral_id == referral_id)
        assert db.session.scalar(events) == 0


def test_a_system_cancel_of_an_open_referral_applies_its_row(app, referral_at):
    referral_id = referral_at(S.ACCEPTED)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        services.system_cancel(referral, reason=CancelReason.CONSENT_EXPIRED)
        db.session.commit()
        referral = db.session.get(Referral, referral_id)
        assert referral.status == S.CANCELLED
        assert referral.cancel_reason == CancelReason.CONSENT_EXPIRED
        assert referral.closed_at is not None


def test_may_agrees_with_the_actions_offered(app, referral_at):
    caseworker, partner = referral_at.users
    for status in S:
        referral_id = referral_at(status)
        with app.app_context():
            referral = db.session.get(Referral, referral_id)
            for user_id in (caseworker.id, partner.id):
                user = db.session.get(User, user_id)
                offered = {t.action for t in access.actions_for(user, referral)}
                for transition in TRANSITIONS:
                    assert access.may(user, transition.action, referral) == (
                        transition.action in offered
                    )
            # Only one pending referral per intake and program: close it for the next one.
            referral.status = S.ENTERED_IN_ERROR
            db.session.commit()


def test_the_send_check_is_the_table_row(app, referral_at):
    """Sending is the one move that needs consent: a revoked consent blocks it."""
    referral_id = referral_at(S.DRAFT)
    caseworker, _ = referral_at.users
    with app.app_context():
        for consent in db.session.scalars(
            sa.select(Consent).where(Consent.intake_id == referral_at.intake_id)
        ):
            consent.revoked_at = utcnow()
        db.session.commit()
        referral = db.session.get(Referral, referral_id)
        with pytest.raises(services.ConsentRequired):
            services.act(referral, "send", by=db.session.get(User, caseworker.id))
        db.session.rollback()
        assert db.session.get(Referral, referral_id).status == S.DRAFT
