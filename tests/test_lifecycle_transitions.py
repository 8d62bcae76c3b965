"""The referral lifecycle against DESIGN §4 and §5: every status pair, for every kind of actor.

The expected table below is written out by hand from DESIGN §4 (who may move a referral from
which status to which). It is deliberately *not* computed from ``transitions.TRANSITIONS``:
the test compares the code's table and its services with the design, so it must not borrow
its answer from the code it checks.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle import services
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.lifecycle.transitions import ROWS, TRANSITIONS, Transition
from referrals.programs.models import Organization, Program
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

S = ReferralStatus
CLEAN_NOTE = "Checked with the program lead; a bed is free next week."

# ---------------------------------------------------------------------------------------------
# DESIGN §4, written out literally: (from, to, side). Sides (DESIGN §5):
#   "sender"            caseworker or supervisor of the sending organization
#   "receiver"          partner or supervisor of the receiving organization
#   "sender_supervisor" supervisor of the sending organization
# "Any open state" is read as every status that is not terminal, the draft included: DESIGN
# lists only rejected/completed/failed/cancelled/entered_in_error as terminal, and a draft
# that could not be cancelled would block every later referral of the intake to that program.
# ---------------------------------------------------------------------------------------------
_OPEN = (S.DRAFT, S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD)
EXPECTED: frozenset[tuple[S, S, str]] = frozenset(
    {
        (S.DRAFT, S.REQUESTED, "sender"),
        (S.REQUESTED, S.ACCEPTED, "receiver"),
        (S.REQUESTED, S.REJECTED, "receiver"),
        (S.ACCEPTED, S.IN_PROGRESS, "receiver"),
        (S.ACCEPTED, S.ON_HOLD, "receiver"),
        (S.IN_PROGRESS, S.ON_HOLD, "receiver"),
        (S.ON_HOLD, S.IN_PROGRESS, "receiver"),
        (S.IN_PROGRESS, S.COMPLETED, "receiver"),
        (S.IN_PROGRESS, S.FAILED, "receiver"),
        *((status, S.CANCELLED, "sender") for status in _OPEN),
        *((status, S.ENTERED_IN_ERROR, "sender_supervisor") for status in _OPEN),
        # Issue #19 (working together): the receiver may cancel too once it has taken the
        # referral on, as FHIR's Task lets its owner.
        *((status, S.CANCELLED, "receiver") for status in (S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD)),
    }
)
TERMINAL = (S.REJECTED, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR)

# Every actor, and the sides of DESIGN §5 each one is on (written out, not taken from SIDE_ROLES).
ACTOR_SIDES: dict[str, frozenset[str]] = {
    "sending caseworker": frozenset({"sender"}),
    "sending supervisor": frozenset({"sender", "sender_supervisor"}),
    "sending partner": frozenset(),  # partner staff never send or cancel
    "receiving partner": frozenset({"receiver"}),
    "receiving supervisor": frozenset({"receiver"}),
    "receiving caseworker": frozenset(),  # caseworkers do not work the inbox
    "third-org caseworker": frozenset(),
    "third-org partner": frozenset(),
    "third-org supervisor": frozenset(),
    "admin": frozenset(),
    "sending-org admin": frozenset(),
    "receiving-org admin": frozenset(),
}


def test_expected_table_is_well_formed():
    """The hand-written table itself: terminal statuses are dead ends, draft only leaves by send."""
    assert not [row for row in EXPECTED if row[0] in TERMINAL]
    assert {to for (frm, to, _side) in EXPECTED if frm == S.DRAFT} == {
        S.REQUESTED,
        S.CANCELLED,
        S.ENTERED_IN_ERROR,
    }
    assert len(EXPECTED) == 22


@dataclass
class World:
    sending: Organization
    receiving: Organization
    program_id: int
    intake_id: int
    sender_id: int
    actors: dict[str, int]


@pytest.fixture
def world(app, make_org, make_user, make_program, make_intake) -> World:
    """Sending, receiving and third organizations, their staff, and an intake with consent."""
    sending, receiving, third, admins = make_org(), make_org(), make_org(), make_org()
    actors = {
        "sending caseworker": make_user(Role.CASEWORKER, org=sending),
        "sending supervisor": make_user(Role.SUPERVISOR, org=sending),
        "sending partner": make_user(Role.PARTNER, org=sending),
        "receiving partner": make_user(Role.PARTNER, org=receiving),
        "receiving supervisor": make_user(Role.SUPERVISOR, org=receiving),
        "receiving caseworker": make_user(Role.CASEWORKER, org=receiving),
        "third-org caseworker": make_user(Role.CASEWORKER, org=third),
        "third-org partner": make_user(Role.PARTNER, org=third),
        "third-org supervisor": make_user(Role.SUPERVISOR, org=third),
        "admin": make_user(Role.ADMIN, org=admins),
        "sending-org admin": make_user(Role.ADMIN, org=sending),
        "receiving-org admin": make_user(Role.ADMIN, org=receiving),
    }
    assert set(actors) == set(ACTOR_SIDES)
    program = make_program(org=receiving)
    sender = actors["sending caseworker"]
    intake = make_intake(by=sender)
    with app.app_context():
        now = utcnow()
        db.session.add(
            Consent(
                intake_id=intake.id,
                given_at=now - timedelta(days=1),
                expires_at=now + timedelta(days=60),
                recorded_by_id=sender.id,
                organizations=[db.session.get(Organization, receiving.id)],
            )
        )
        db.session.commit()
    return World(
        sending=sending,
        receiving=receiving,
        program_id=program.id,
        intake_id=intake.id,
        sender_id=sender.id,
        actors={name: user.id for name, user in actors.items()},
    )


def _referral_in(world: World, status: S) -> Referral:
    """A referral put straight into ``status``, with the timestamps that status implies."""
    now = utcnow()
    fields: dict[str, object] = {}
    if status != S.DRAFT:
        fields.update(sent_at=now - timedelta(hours=2), response_due_at=now + timedelta(hours=70))
    if status in (S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.FAILED):
        fields.update(accepted_at=now - timedelta(hours=1), responded_at=now - timedelta(hours=1))
    if status in TERMINAL:
        fields["closed_at"] = now
    # A program of its own: one intake holds one pending referral per program.
    program = Program(
        organization_id=world.receiving.id,
        name=f"Program {uuid.uuid4().hex[:8]}",
        service_types=["counseling"],
        capacity_available=2,
    )
    db.session.add(program)
    db.session.flush()
    referral = Referral(
        intake_id=world.intake_id,
        program_id=program.id,
        receiving_organization_id=world.receiving.id,
        sending_organization_id=world.sending.id,
        sent_by_id=world.sender_id,
        status=status,
        **fields,
    )
    db.session.add(referral)
    db.session.commit()
    return referral


def _reason_for(transition: Transition) -> str | None:
    """A valid coded reason: the first one that is not "other" (which needs a note)."""
    if transition.reasons is None:
        return None
    return next(member.value for member in transition.reasons if member.value != "other")


def _counts(referral_id: int) -> tuple[int, int]:
    """Timeline events of the referral, and referral audit events (autoflushes first)."""
    events = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReferralEvent)
        .where(ReferralEvent.referral_id == referral_id)
    )
    audits = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.object_type == "referral", AuditEvent.action != "referral.viewed")
    )
    return int(events or 0), int(audits or 0)


@pytest.mark.parametrize("from_status", list(S), ids=[s.value for s in S])
def test_every_transition_for_every_actor(app, world, from_status):
    """From one status: every target, every actor, every action of the table.

    A move succeeds exactly when DESIGN §4 allows it for one of the actor's sides; otherwise
    it is refused and nothing changes. Each attempt is rolled back, so one committed referral
    serves them all.
    """
    failures: list[str] = []
    with app.app_context():
        referral = _referral_in(world, from_status)
        referral_id, public_id = referral.id, referral.public_id
        users = {name: db.session.get(User, uid) for name, uid in world.actors.items()}

        for to_status in S:
            allowed_sides = {
                side for (f, t, side) in EXPECTED if (f, t) == (from_status, to_status)
            }
            # One action per move; it may have a row per side ("cancel": sender and receiver).
            matching = [
                t for t in TRANSITIONS if from_status in t.sources and t.target == to_status
            ]
            actions = {t.action for t in matching}
            assert len(actions) <= 1, f"two actions move {from_status} → {to_status}: {actions}"
            if not matching:
                # No action exists, so nobody can make this move: that must be what DESIGN says.
                if allowed_sides:
                    failures.append(f"{from_status} → {to_status}: no action in TRANSITIONS")
                continue
            transition = matching[0]
            if not allowed_sides:
                failures.append(
                    f"{from_status} → {to_status}: TRANSITIONS has {transition.action!r}, "
                    "DESIGN allows nobody"
                )

            for name, user in users.items():
                should = bool(ACTOR_SIDES[name] & allowed_sides)
                referral = db.session.get(Referral, referral_id)
                version = referral.version
                before = _counts(referral_id)
                try:
                    event = services.act(
                        referral,
                        transition.action,
                        by=user,
                        reason=_reason_for(transition),
                        note=CLEAN_NOTE,
                        expected_version=version,
                    )
                except (PermissionError, services.ReferralError) as error:
                    after = _counts(referral_id)
                    changed = (referral.status, referral.version, after) != (
                        from_status,
                        version,
                        before,
                    )
                    if should:
                        failures.append(
                            f"{name} {transition.action} {from_status} → {to_status}: "
                            f"refused ({type(error).__name__}: {error})"
                        )
                    elif changed:
                        failures.append(
                            f"{name} {transition.action} {from_status}: refused but changed "
                            f"{(referral.status, referral.version, after)} from "
                            f"{(from_status, version, before)}"
                        )
                else:
                    if not should:
                        failures.append(
                            f"{name} {transition.action} {from_status} → {to_status}: "
                            "allowed, DESIGN forbids it"
                        )
                    else:
                        after = _counts(referral_id)
                        # The version only has to move on here (a decline for lack of
                        # capacity moves it twice: see test_lifecycle_concurrency).
                        got = (referral.status, referral.version > version, after, event.to_status)
                        want = (to_status, True, (before[0] + 1, before[1] + 1), to_status)
                        if got != want:
                            failures.append(f"{name} {transition.action}: got {got}, want {want}")
                        audit = db.session.scalar(
                            sa.select(AuditEvent).order_by(AuditEvent.sequence.desc()).limit(1)
                        )
                        if (audit.action, audit.object_id) != (
                            f"referral.{transition.action}",
                            public_id,
                        ):
                            failures.append(
                                f"{name} {transition.action}: audit {audit.action} "
                                f"{audit.object_id}"
                            )
                finally:
                    db.session.rollback()

        # Every action none of whose rows holds this status is refused for everyone.
        for transition in TRANSITIONS:
            if any(from_status in row.sources for row in ROWS[transition.action]):
                continue
            for name, user in users.items():
                referral = db.session.get(Referral, referral_id)
                version = referral.version
                before = _counts(referral_id)
                try:
                    services.act(
                        referral,
                        transition.action,
                        by=user,
                        reason=_reason_for(transition),
                        note=CLEAN_NOTE,
                    )
                except (PermissionError, services.ReferralError):
                    if (referral.status, referral.version, _counts(referral_id)) != (
                        from_status,
                        version,
                        before,
                    ):
                        failures.append(f"{name} {transition.action} {from_status}: changed")
                else:
                    failures.append(
                        f"{name} {transition.action} from {from_status}: allowed, not in sources"
                    )
                finally:
                    db.session.rollback()

        final = db.session.get(Referral, referral_id)
        assert (final.status, final.version) == (from_status, 1)
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# Through HTTP: refusals are explained on the page, changes leave one event and one audit record.
# ---------------------------------------------------------------------------------------------


@dataclass
class HttpWorld:
    caseworker: object
    supervisor: object
    partner: object
    other: object
    referral_id: int
    public_id: str
    world: World


@pytest.fixture
def http(app, world) -> HttpWorld:
    with app.app_context():
        referral = _referral_in(world, S.REQUESTED)
        ids = referral.id, referral.public_id
        users = {name: db.session.get(User, uid) for name, uid in world.actors.items()}
        for user in users.values():
            db.session.expunge(user)

    def client_for(name: str):
        client = app.test_client()
        assert login(client, users[name]).status_code == 302
        return client

    return HttpWorld(
        caseworker=client_for("sending caseworker"),
        supervisor=client_for("sending supervisor"),
        partner=client_for("receiving partner"),
        other=client_for("third-org supervisor"),
        referral_id=ids[0],
        public_id=ids[1],
        world=world,
    )


def _state(app, referral_id: int) -> tuple[S, int, int, int]:
    """Status, version, timeline events and referral audit events, read afresh."""
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        return (referral.status, referral.version, *_counts(referral_id))


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_decline_without_reason_is_refused_with_a_message(app, http):
    before = _state(app, http.referral_id)
    response = http.partner.post(
        f"/referrals/{http.public_id}/decline", data={"version": "1", "confirm": "y"}
    )
    assert response.status_code == 400
    assert "Choose a reason" in _text(response)
    assert _state(app, http.referral_id) == before


def test_decline_with_other_and_no_note_asks_for_the_note(app, http):
    before = _state(app, http.referral_id)
    response = http.partner.post(
        f"/referrals/{http.public_id}/decline",
        data={"version": "1", "confirm": "y", "reason": "other", "note": ""},
    )
    assert response.status_code == 400
    assert "Say in the note why" in _text(response)
    assert _state(app, http.referral_id) == before


def test_decline_with_an_unknown_reason_is_refused(app, http):
    before = _state(app, http.referral_id)
    response = http.partner.post(
        f"/referrals/{http.public_id}/decline",
        data={"version": "1", "confirm": "y", "reason": "bored"},
    )
    assert response.status_code == 400
    assert _state(app, http.referral_id) == before


def test_irreversible_action_needs_the_confirmation(app, http):
    before = _state(app, http.referral_id)
    response = http.partner.post(
        f"/referrals/{http.public_id}/decline",
        data={"version": "1", "reason": "no_capacity", "note": CLEAN_NOTE},
    )
    assert response.status_code == 400
    assert "Tick the box to confirm: this cannot be undone." in _text(response)
    assert _state(app, http.referral_id) == before

    response = http.caseworker.post(
        f"/referrals/{http.public_id}/cancel",
        data={"version": "1", "reason": "client_declined"},
    )
    assert response.status_code == 400
    assert "Tick the box to confirm" in _text(response)
    assert _state(app, http.referral_id) == before


def test_note_with_a_phone_number_is_refused_and_named(app, http):
    before = _state(app, http.referral_id)
    response = http.partner.post(
        f"/referrals/{http.public_id}/decline",
        data={
            "version": "1",
            "confirm": "y",
            "reason": "other",
            "note": "Call her at 816-555-0134 tonight.",
        },
    )
    assert response.status_code == 400
    body = _text(response)
    assert "816-555-0134" in body
    assert "phone number" in body
    assert _state(app, http.referral_id) == before
    with app.app_context():
        notes = db.session.scalars(sa.select(ReferralEvent.note)).all()
        assert not any("816" in note for note in notes)


def test_send_note_with_a_phone_number_is_refused(app, http):
    with app.app_context():
        draft = _referral_in(http.world, S.DRAFT)
        draft_id, draft_public = draft.id, draft.public_id
    before = _state(app, draft_id)
    response = http.caseworker.post(
        f"/referrals/{draft_public}/send",
        data={"version": "1", "priority": "routine", "note": "Her number is 816-555-0134."},
    )
    assert response.status_code == 400
    assert "816-555-0134" in _text(response)
    assert _state(app, draft_id) == before
    with app.app_context():
        assert db.session.get(Referral, draft_id).note == ""


def test_wrong_side_is_forbidden_and_other_orgs_see_nothing(app, http):
    before = _state(app, http.referral_id)
    # The receiver may not cancel (a sender's action); the sender may not accept.
    response = http.partner.post(
        f"/referrals/{http.public_id}/cancel",
        data={"version": "1", "reason": "client_declined", "confirm": "y"},
    )
    assert response.status_code == 403
    assert (
        http.caseworker.post(
            f"/referrals/{http.public_id}/accept", data={"version": "1"}
        ).status_code
        == 403
    )
    # A third organization cannot even tell the referral exists.
    assert http.other.get(f"/referrals/{http.public_id}").status_code == 404
    assert (
        http.other.post(f"/referrals/{http.public_id}/accept", data={"version": "1"}).status_code
        == 404
    )
    assert (
        http.partner.post(
            f"/referrals/{http.public_id}/teleport", data={"version": "1"}
        ).status_code
        == 404
    )
    assert _state(app, http.referral_id) == before


def _version_on_page(client, public_id: str) -> str:
    page = _text(client.get(f"/referrals/{public_id}"))
    match = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert match, "the referral page carries the version in its action forms"
    return match.group(1)


def _audit_actions(app, public_id: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.object_id == public_id, AuditEvent.action != "referral.viewed")
                .order_by(AuditEvent.sequence)
            )
        )


def _status_events(app, referral_id: int) -> list[tuple[str, S | None, S | None, str | None]]:
    with app.app_context():
        return [
            (e.kind, e.from_status, e.to_status, e.reason)
            for e in db.session.scalars(
                sa.select(ReferralEvent)
                .where(ReferralEvent.referral_id == referral_id)
                .order_by(ReferralEvent.id)
            )
            if e.kind != "read_receipt"
        ]


def _step(app, client, public_id, referral_id, action, data, to_status):
    """One action through HTTP: a redirect, one more timeline event, one more audit event."""
    # Viewing writes only a read receipt and a "viewed" audit record, which are not counted.
    version = _version_on_page(client, public_id)
    events_before = _status_events(app, referral_id)
    audits_before = _audit_actions(app, public_id)
    response = client.post(f"/referrals/{public_id}/{action}", data={"version": version, **data})
    assert response.status_code == 302, _text(response)
    assert response.headers["Location"].endswith(f"/referrals/{public_id}")
    events_after = _status_events(app, referral_id)
    assert len(events_after) == len(events_before) + 1
    assert events_after[-1][0] == "status_change"
    assert events_after[-1][2] == to_status
    assert _audit_actions(app, public_id) == [*audits_before, f"referral.{action}"]
    assert _state(app, referral_id)[:2] == (to_status, int(version) + 1)


def test_each_change_writes_one_event_and_one_audit_record(app, http):
    world = http.world
    with app.app_context():
        draft = _referral_in(world, S.DRAFT)
        rid, pid = draft.id, draft.public_id

    _step(
        app,
        http.caseworker,
        pid,
        rid,
        "send",
        {"priority": "urgent", "note": CLEAN_NOTE},
        S.REQUESTED,
    )
    _step(app, http.partner, pid, rid, "accept", {}, S.ACCEPTED)
    # Waiting takes a coded reason (issue #19), and an expected date if the partner has one.
    hold = {"reason": "waitlist_no_bed", "until": "2099-01-31"}
    _step(app, http.partner, pid, rid, "waitlist", hold, S.ON_HOLD)
    _step(app, http.partner, pid, rid, "resume", {}, S.IN_PROGRESS)
    _step(app, http.partner, pid, rid, "waitlist", {"reason": "awaiting_documents"}, S.ON_HOLD)
    _step(app, http.partner, pid, rid, "resume", {}, S.IN_PROGRESS)
    _step(
        app,
        http.partner,
        pid,
        rid,
        "complete",
        {"reason": "service_completed", "confirm": "y", "note": CLEAN_NOTE},
        S.COMPLETED,
    )
    events = _status_events(app, rid)
    assert [e[2] for e in events] == [
        S.REQUESTED,
        S.ACCEPTED,
        S.ON_HOLD,
        S.IN_PROGRESS,
        S.ON_HOLD,
        S.IN_PROGRESS,
        S.COMPLETED,
    ]
    assert events[-1][3] == "service_completed"
    with app.app_context():
        referral = db.session.get(Referral, rid)
        assert referral.priority.value == "urgent"
        assert referral.note == CLEAN_NOTE
        assert referral.outcome.value == "service_completed"
        assert referral.closed_at is not None
        assert referral.enrolled_at is not None

    # The requested referral of the fixture: declined with a coded reason.
    _step(
        app,
        http.partner,
        http.public_id,
        http.referral_id,
        "decline",
        {"reason": "service_not_provided", "confirm": "y"},
        S.REJECTED,
    )
    # Two more: one cancelled by the sender, one marked in error by the sending supervisor.
    with app.app_context():
        accepted = _referral_in(world, S.ACCEPTED)
        a_id, a_pid = accepted.id, accepted.public_id
        in_progress = _referral_in(world, S.IN_PROGRESS)
        p_id, p_pid = in_progress.id, in_progress.public_id
    _step(
        app,
        http.caseworker,
        a_pid,
        a_id,
        "cancel",
        {"reason": "need_met_elsewhere", "confirm": "y"},
        S.CANCELLED,
    )
    _step(
        app, http.partner, p_pid, p_id, "fail", {"reason": "lost_contact", "confirm": "y"}, S.FAILED
    )
    with app.app_context():
        eie = _referral_in(world, S.ON_HOLD)
        e_id, e_pid = eie.id, eie.public_id
    _step(app, http.supervisor, e_pid, e_id, "enter_in_error", {"confirm": "y"}, S.ENTERED_IN_ERROR)
