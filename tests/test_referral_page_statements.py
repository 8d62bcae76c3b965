"""The referral page sends at most six SQL statements, on either side, however many events,
messages, staff, programs and referrals there are (issue #22, item 7): the session check,
the referral, the audit record of the view (the chain's lock, its last link, the new link),
and one statement for the timeline, the thread, the staff and the programs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Referral, ReferralEvent, ReferralMessage
from referrals.programs.models import Organization
from tests.conftest import login
from tests.test_lifecycle_lists import counted

NOW = datetime.now(UTC)
MOST = 6


@pytest.fixture
def world(app, make_org, make_user, make_program, make_intake):
    """A requested referral between two organizations: its receiver may decline it with a
    suggestion and forward it to another of its programs (the page's largest shape)."""
    sender_org = make_org(name="Sender Org", receives=False)
    receiver_org = make_org(name="Receiver Org", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sender_org)
    partner = make_user(Role.PARTNER, org=receiver_org)
    program = make_program(org=receiver_org, name="Beds Program")
    make_program(org=receiver_org, name="Counseling Program")

    def referral(**fields) -> str:
        intake = make_intake(by=caseworker)
        with app.app_context():
            db.session.add(
                Consent(
                    intake_id=intake.id,
                    given_at=NOW - timedelta(days=1),
                    expires_at=NOW + timedelta(days=30),
                    recorded_by_id=caseworker.id,
                    organizations=[db.session.get(Organization, receiver_org.id)],
                )
            )
            made = Referral(
                intake_id=intake.id,
                program_id=fields.get("program_id", program.id),
                receiving_organization_id=receiver_org.id,
                sending_organization_id=sender_org.id,
                sent_by_id=caseworker.id,
                status=ReferralStatus.REQUESTED,
                sent_at=NOW - timedelta(hours=1),
                response_due_at=NOW + timedelta(hours=48),
            )
            db.session.add(made)
            db.session.commit()
            return made.public_id

    def grow(public_id: str) -> None:
        """More of everything the page lists or could scan: events, messages, staff,
        programs, other referrals."""
        for n in range(5):
            make_user(Role.CASEWORKER, org=sender_org)
            make_user(Role.PARTNER, org=receiver_org)
            make_program(org=receiver_org, name=f"Program {n}")
            make_program(name=f"Elsewhere {n}")
        extra = make_program(org=receiver_org, name="Busy Program")
        for _ in range(20):
            referral(program_id=extra.id)
        with app.app_context():
            ident = db.session.query(Referral.id).filter_by(public_id=public_id).scalar()
            for n in range(15):
                db.session.add(
                    ReferralEvent(referral_id=ident, kind="reminder", actor_id=caseworker.id)
                )
                author = caseworker if n % 2 else partner
                db.session.add(
                    ReferralMessage(
                        referral_id=ident,
                        author_id=author.id,
                        organization_id=author.organization_id,
                        body=f"Message {n}",
                    )
                )
            db.session.commit()

    return caseworker, partner, referral, grow


def _statements(app, client, path: str) -> list[str]:
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return statements


def test_referral_page_sends_at_most_six_statements_on_either_side(app, world):
    caseworker, partner, referral, grow = world
    public_id = referral()
    path = f"/referrals/{public_id}"
    clients = {}
    for user in (caseworker, partner):
        clients[user.role] = client = app.test_client()
        assert login(client, user).status_code == 302
        client.get(path)  # the receiver's first view writes its read receipt
    small = {role: _statements(app, client, path) for role, client in clients.items()}
    grow(public_id)
    large = {role: _statements(app, client, path) for role, client in clients.items()}

    for role in clients:
        assert len(small[role]) <= MOST, (role, small[role])
        assert len(large[role]) == len(small[role]), (role, small[role], large[role])
    body = clients[Role.PARTNER].get(path).get_data(as_text=True)
    # What the larger world added is on the page: the thread, the timeline, the choices.
    assert body.count('data-testid="message"') == 15
    for shown in ("Message 14", "Busy Program", "Elsewhere 4", 'data-testid="forward"'):
        assert shown in body
    assert 'data-testid="action-decline"' in body
