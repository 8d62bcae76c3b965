"""Two people acting on one referral at once: exactly one wins, the other is told to reload.

Runs on SQLite (writes are serialized) and on PostgreSQL (row locks and READ COMMITTED):
the outcome must be the same on both.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle import services
from referrals.lifecycle.models import Notification, Referral, ReferralEvent
from referrals.programs.models import Organization, Program
from referrals.rollups import upkeep as rollups
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

S = ReferralStatus
ROUNDS = 5
RELOAD = "Reload it to see its current state"


@dataclass
class World:
    intake_id: int
    program_id: int
    sending_id: int
    receiving_id: int
    caseworker_id: int
    partner_ids: tuple[int, int]
    caseworker: object  # signed-in test clients
    partner_1: object
    partner_2: object
    receiving: Organization
    intake_code: str


@pytest.fixture
def world(app, make_org, make_user, make_program, make_intake) -> World:
    """A sender, a receiver with two partner staff, a consented intake and a program."""
    sending, receiving = make_org(), make_org()
    caseworker = make_user(Role.CASEWORKER, org=sending)
    partners = make_user(Role.PARTNER, org=receiving), make_user(Role.PARTNER, org=receiving)
    program = make_program(org=receiving)
    intake = make_intake(by=caseworker)
    with app.app_context():
        now = utcnow()
        db.session.add(
            Consent(
                intake_id=intake.id,
                given_at=now - timedelta(days=1),
                expires_at=now + timedelta(days=60),
                recorded_by_id=caseworker.id,
                organizations=[db.session.get(Organization, receiving.id)],
            )
        )
        db.session.commit()

    def client_for(user: User):
        client = app.test_client()
        assert login(client, user).status_code == 302
        return client

    return World(
        intake_id=intake.id,
        program_id=program.id,
        sending_id=sending.id,
        receiving_id=receiving.id,
        caseworker_id=caseworker.id,
        partner_ids=(partners[0].id, partners[1].id),
        caseworker=client_for(caseworker),
        partner_1=client_for(partners[0]),
        partner_2=client_for(partners[1]),
        receiving=receiving,
        intake_code=intake.client_code,
    )


def _fresh_program(organization_id: int, *, like: int) -> int:
    """A copy of the world's program, so each round's referral may be pending at once."""
    template = db.session.get(Program, like)
    program = Program(
        organization_id=organization_id,
        name=f"{template.name} {uuid.uuid4().hex[:8]}",
        service_types=template.service_types,
        capacity_available=template.capacity_available,
        capacity_maximum=template.capacity_maximum,
    )
    db.session.add(program)
    db.session.flush()
    return program.id


def new_referral(app, world: World, status: S = S.REQUESTED) -> tuple[int, str]:
    """A sent referral (fresh for each round); returns (id, public id)."""
    with app.app_context():
        now = utcnow()
        referral = Referral(
            intake_id=world.intake_id,
            # A program of its own: one intake holds one pending referral per program.
            program_id=_fresh_program(world.receiving_id, like=world.program_id),
            receiving_organization_id=world.receiving_id,
            sending_organization_id=world.sending_id,
            sent_by_id=world.caseworker_id,
            status=status,
            sent_at=now,
            response_due_at=now + timedelta(hours=72),
        )
        db.session.add(referral)
        db.session.commit()
        return referral.id, referral.public_id


def version_on_page(client, public_id: str, action: str) -> str:
    """The version carried by the given action's form on the referral page."""
    body = client.get(f"/referrals/{public_id}").get_data(as_text=True)
    form = re.search(rf'data-testid="action-{action}".*?</form>', body, re.S)
    assert form, f"no {action} form on the page"
    version = re.search(r'name="version"[^>]*value="(\d+)"', form.group(0))
    assert version
    return version.group(1)


def state(app, referral_id: int) -> tuple[S, int, list[tuple[S | None, S | None]]]:
    """Status, version and status changes of a referral, read afresh."""
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        changes = [
            (e.from_status, e.to_status)
            for e in db.session.scalars(
                sa.select(ReferralEvent)
                .where(
                    ReferralEvent.referral_id == referral_id,
                    ReferralEvent.kind == "status_change",
                )
                .order_by(ReferralEvent.id)
            )
        ]
        return referral.status, referral.version, changes


def race(posts: list[Callable[[], object]], *, barrier: threading.Barrier) -> list[object]:
    """Run each POST in its own thread, released together by the barrier."""
    results: list[object] = [None] * len(posts)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = posts[index]()
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not errors, errors
    return results


@pytest.fixture
def both_loaded(monkeypatch):
    """Hold each request inside the service until both have loaded the referral.

    Both then pass the version check on the same version and race to UPDATE it: the
    optimistic lock itself, not the early version comparison, has to pick the winner.
    """

    def install() -> threading.Barrier:
        gate = threading.Barrier(2, timeout=20)
        original = services.act

        def gated(referral, action, **kwargs):
            assert referral.version == kwargs.get("expected_version")
            gate.wait()
            return original(referral, action, **kwargs)

        monkeypatch.setattr(services, "act", gated)
        return gate

    return install


@pytest.mark.parametrize("when", ["at_post", "after_load"])
def test_two_simultaneous_accepts_one_wins(app, world, both_loaded, when):
    if when == "after_load":
        both_loaded()
    for _round in range(ROUNDS):
        referral_id, public_id = new_referral(app, world)
        version = version_on_page(world.partner_1, public_id, "accept")
        assert version_on_page(world.partner_2, public_id, "accept") == version

        def accept(client, version=version, public_id=public_id):
            return client.post(f"/referrals/{public_id}/accept", data={"version": version})

        responses = race(
            [lambda: accept(world.partner_1), lambda: accept(world.partner_2)],
            barrier=threading.Barrier(2),
        )
        codes = sorted(response.status_code for response in responses)
        assert codes == [302, 409], [r.get_data(as_text=True)[:2000] for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert RELOAD in loser.get_data(as_text=True)
        assert f"/referrals/{public_id}" in loser.get_data(as_text=True)

        status, new_version, changes = state(app, referral_id)
        assert status == S.ACCEPTED
        assert new_version == int(version) + 1
        assert changes == [(S.REQUESTED, S.ACCEPTED)]
        with app.app_context():
            decisions = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Notification)
                .where(
                    Notification.referral_id == referral_id,
                    Notification.kind == NotificationKind.DECISION,
                )
            )
            assert decisions == 1  # the loser's notification was rolled back with it


@pytest.mark.parametrize(
    ("rival", "action", "data", "outcome"),
    [
        ("caseworker", "cancel", {"reason": "need_met_elsewhere", "confirm": "y"}, S.CANCELLED),
        ("partner_2", "decline", {"reason": "no_capacity", "confirm": "y"}, S.REJECTED),
    ],
    ids=["sender-cancels", "colleague-declines-full"],
)
def test_accept_racing_another_action_leaves_one_outcome(
    app, world, both_loaded, rival, action, data, outcome
):
    """A partner accepts while someone else cancels or declines: one of them wins, never both."""
    both_loaded()
    rival_client = getattr(world, rival)
    for _round in range(ROUNDS):
        referral_id, public_id = new_referral(app, world)
        accept_version = version_on_page(world.partner_1, public_id, "accept")
        rival_version = version_on_page(rival_client, public_id, action)
        responses = race(
            [
                lambda pid=public_id, v=accept_version: world.partner_1.post(
                    f"/referrals/{pid}/accept", data={"version": v}
                ),
                lambda pid=public_id, v=rival_version: rival_client.post(
                    f"/referrals/{pid}/{action}", data={"version": v, **data}
                ),
            ],
            barrier=threading.Barrier(2),
        )
        assert sorted(r.status_code for r in responses) == [302, 409]
        status, _version, changes = state(app, referral_id)
        winner = S.ACCEPTED if responses[0].status_code == 302 else outcome
        assert status == winner
        assert changes == [(S.REQUESTED, winner)]
        with app.app_context():
            capacity = db.session.get(Referral, referral_id).program.capacity_available
            # Only a decline that won may mark the program full.
            assert (capacity == 0) == (winner == S.REJECTED)
            db.session.get(Referral, referral_id).program.capacity_available = 3
            db.session.commit()


def test_stale_form_is_a_conflict_and_changes_nothing(app, world):
    referral_id, public_id = new_referral(app, world)
    # Partner 1 opens the page and reads for a while...
    stale = version_on_page(world.partner_1, public_id, "decline")
    sender_stale = version_on_page(world.caseworker, public_id, "cancel")
    # ...while partner 2 accepts it.
    fresh = version_on_page(world.partner_2, public_id, "accept")
    assert fresh == stale
    response = world.partner_2.post(f"/referrals/{public_id}/accept", data={"version": fresh})
    assert response.status_code == 302
    before = state(app, referral_id)
    assert before[0] == S.ACCEPTED

    # Partner 1's decline from the old page: refused, with the way out.
    response = world.partner_1.post(
        f"/referrals/{public_id}/decline",
        data={"version": stale, "reason": "no_capacity", "confirm": "y"},
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "This referral changed while you were looking at it" in body
    assert RELOAD in body
    assert f'href="/referrals/{public_id}"' in body
    assert state(app, referral_id) == before
    with app.app_context():
        program = db.session.get(Referral, referral_id).program
        assert program.capacity_available == 3  # the refused decline had no side effect

    # The same for an action that would still be allowed now (the sender's cancel).
    response = world.caseworker.post(
        f"/referrals/{public_id}/cancel",
        data={"version": sender_stale, "reason": "client_declined", "confirm": "y"},
    )
    assert response.status_code == 409
    assert RELOAD in response.get_data(as_text=True)
    assert state(app, referral_id) == before

    # After reloading, the current version works.
    current = version_on_page(world.partner_1, public_id, "enroll")
    assert int(current) == before[1]
    response = world.partner_1.post(f"/referrals/{public_id}/enroll", data={"version": current})
    assert response.status_code == 302
    assert state(app, referral_id)[0] == S.IN_PROGRESS


def test_two_views_of_different_referrals_at_once_both_succeed(app, world):
    """Every view is audited; two at the same moment must both be recorded, in sequence."""
    for _round in range(ROUNDS):
        first = new_referral(app, world)[1]
        second = new_referral(app, world)[1]
        responses = race(
            [
                lambda pid=first: world.partner_1.get(f"/referrals/{pid}"),
                lambda pid=second: world.caseworker.get(f"/referrals/{pid}"),
            ],
            barrier=threading.Barrier(2),
        )
        assert [r.status_code for r in responses] == [200, 200]
    with app.app_context():
        sequences = list(
            db.session.scalars(sa.select(AuditEvent.sequence).order_by(AuditEvent.sequence))
        )
        assert sequences == list(range(1, len(sequences) + 1))


def test_two_first_views_at_once_write_one_read_receipt(app, world):
    for _round in range(ROUNDS):
        referral_id, public_id = new_referral(app, world)
        responses = race(
            [
                lambda pid=public_id: world.partner_1.get(f"/referrals/{pid}"),
                lambda pid=public_id: world.partner_2.get(f"/referrals/{pid}"),
            ],
            barrier=threading.Barrier(2),
        )
        assert [r.status_code for r in responses] == [200, 200]
        with app.app_context():
            receipts = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ReferralEvent)
                .where(
                    ReferralEvent.referral_id == referral_id,
                    ReferralEvent.kind == "read_receipt",
                )
            )
            referral = db.session.get(Referral, referral_id)
            assert receipts == 1
            assert referral.first_viewed_at is not None
            assert referral.version == 1


def test_double_clicking_refer_starts_one_draft(app, world, make_program):
    """Two simultaneous "Refer" clicks for one program: one draft, the other click is told so.

    DESIGN: an intake holds at most one open referral (drafts included) per program.
    """
    for _round in range(ROUNDS):
        program = make_program(org=world.receiving)
        url = f"/intakes/{world.intake_code}/matches/{program.id}/draft"
        responses = race(
            [lambda url=url: world.caseworker.post(url)] * 2, barrier=threading.Barrier(2)
        )
        assert [r.status_code for r in responses] == [302, 302]
        with app.app_context():
            drafts = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Referral)
                .where(Referral.program_id == program.id, Referral.intake_id == world.intake_id)
            )
        assert drafts == 1, f"round {_round + 1}: {drafts} drafts of one intake to one program"


# --- the service on its own, with a referral loaded without its program ---------------------


def _someone_else_accepts(referral_id: int) -> None:
    """Another user's committed change, made on another connection (with its rollups, as
    the app's flush would keep them)."""
    with db.engine.begin() as connection:
        rollups.apply(connection, [referral_id], sign=-1)
        connection.execute(
            sa.update(Referral.__table__)
            .where(Referral.__table__.c.id == referral_id)
            .values(status=S.ACCEPTED.value, version=Referral.__table__.c.version + 1)
        )
        rollups.apply(connection, [referral_id], sign=1)


@pytest.mark.parametrize("reason", ["client_declined", "no_capacity"])
def test_decline_of_a_stale_referral_is_a_conflict(app, world, reason):
    """Whatever the reason, a decline that lost the race raises ReferralConflict (→ 409)."""
    referral_id, _public_id = new_referral(app, world)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)  # its program is not loaded
        partner = db.session.get(User, world.partner_ids[0])
        _someone_else_accepts(referral_id)
        with pytest.raises(services.ReferralConflict):
            services.act(referral, "decline", by=partner, reason=reason, expected_version=1)
        db.session.rollback()
    assert state(app, referral_id)[:2] == (S.ACCEPTED, 2)


def test_decline_for_no_capacity_moves_the_version_once(app, world):
    """One action is one UPDATE of the referral: version + 1, like every other action."""
    referral_id, _public_id = new_referral(app, world)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)  # its program is not loaded
        partner = db.session.get(User, world.partner_ids[0])
        services.act(referral, "decline", by=partner, reason="no_capacity", expected_version=1)
        db.session.commit()
    assert state(app, referral_id) == (S.REJECTED, 2, [(S.REQUESTED, S.REJECTED)])
