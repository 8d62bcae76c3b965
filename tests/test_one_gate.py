"""The one gate: referrals/access.py alone decides who sees a referral or an intake.

Two kinds of proof: the source (no other module compares a referral's or an intake's
organization with the user's), and behaviour (when consent stops covering the receiver,
every page, list, count, export and notification link of the receiving side loses the
referral at the same moment, before any sweep has cancelled it).
"""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from referrals import access
from referrals.auth.models import User
from referrals.dashboard import queries as dashboard_queries
from referrals.db_types import utcnow
from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle import services
from referrals.lifecycle.models import Notification, Referral
from referrals.programs.models import Organization, Program
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

PACKAGE = Path(__file__).resolve().parents[1] / "referrals"
# Names that hold the person asking: the signed-in user, or the ``by=`` of a service.
USER_NAMES = {"user", "by", "current_user", "viewer", "actor", "staff"}
RECORD_HINTS = ("referral", "intake", "Referral", "Intake")


def _mentions(node: ast.AST, predicate) -> bool:
    return any(predicate(child) for child in ast.walk(node))


def _users_organization(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "organization_id"
        and isinstance(node.value, ast.Name)
        and node.value.id in USER_NAMES
    )


def _records_organization(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Attribute) and node.attr.endswith("organization_id")):
        return False
    return _mentions(
        node.value,
        lambda n: isinstance(n, ast.Name) and any(h in n.id for h in RECORD_HINTS),
    )


def test_only_access_compares_a_records_organization_with_the_users():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "access.py" and path.parent == PACKAGE:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            if any(_mentions(s, _users_organization) for s in sides) and any(
                _mentions(s, _records_organization) for s in sides
            ):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not offenders, f"compare organizations only in referrals/access.py: {offenders}"


def test_the_consent_rule_is_written_once():
    """``Consent.expires_at >`` (the rule's test of time) appears only in access.py's SQL."""
    writers = [
        str(path.relative_to(PACKAGE.parent))
        for path in sorted(PACKAGE.rglob("*.py"))
        if re.search(r"Consent\.expires_at\s*>", path.read_text())
    ]
    assert writers == ["referrals/access.py"]


def _world(app, make_org, make_user, make_program, make_intake):
    sending = make_org(name="Gate Outreach", receives=False)
    receiving = make_org(name="Gate Shelter", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sending)
    partner = make_user(Role.PARTNER, org=receiving)
    supervisor = make_user(Role.SUPERVISOR, org=receiving)
    program = make_program(org=receiving, name="Gate Program", response_time_hours=1)
    intake = make_intake(by=caseworker)
    with app.app_context():
        now = utcnow()
        consent = Consent(
            intake_id=intake.id,
            given_at=now - timedelta(days=1),
            expires_at=now + timedelta(days=30),
            recorded_by_id=caseworker.id,
            organizations=[db.session.get(Organization, receiving.id)],
        )
        db.session.add(consent)
        referral = services.create_draft(
            db.session.get(Intake, intake.id),
            db.session.get(Program, program.id),
            by=db.session.get(User, caseworker.id),
        )
        services.act(referral, "send", by=db.session.get(User, caseworker.id), note="")
        # Overdue, so it shows in the overdue panel and queue as well.
        referral.response_due_at = now - timedelta(hours=2)
        db.session.commit()
        return referral.public_id, consent.id, (partner, supervisor), caseworker


def _receiving_views(app, client, user: User, public_id: str) -> dict[str, bool]:
    """Where the receiving side can find the referral: True for each place that shows it."""
    found = {}
    for path in (
        "/inbox",
        "/inbox?status=overdue",
        "/inbox?status=requested",
        "/dashboard",
        "/notifications",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        found[path] = public_id in page.get_data(as_text=True)
    # Partners export figures, supervisors the referral list as well.
    export = list(
        csv.reader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True)))
    )
    # A figure row: its words, value, then its codes (figure, item).
    found["export count"] = any(
        row[3:5] == ["status", "requested"] and row[2] != "0" for row in export if len(row) == 5
    )
    if user.role == Role.SUPERVISOR:
        found["export list"] = any(public_id in row for row in export)
    found["/referrals/<id>"] = client.get(f"/referrals/{public_id}").status_code == 200
    with app.app_context():
        viewer = db.session.get(User, user.id)
        counts = dashboard_queries.referral_counts_by_status(viewer, side="received")
        found["home page count"] = counts.get(ReferralStatus.REQUESTED, 0) > 0
        notification_id = db.session.scalar(
            sa.select(Notification.id).where(Notification.recipient_id == user.id)
        )
    opened = client.post(f"/notifications/{notification_id}/read")
    found["notification link"] = opened.headers["Location"].endswith(f"/referrals/{public_id}")
    return found


def test_consent_ending_hides_the_referral_everywhere_at_once(
    app, make_org, make_user, make_program, make_intake
):
    public_id, consent_id, receivers, caseworker = _world(
        app, make_org, make_user, make_program, make_intake
    )
    clients = {}
    for user in receivers:
        clients[user.id] = app.test_client()
        assert login(clients[user.id], user).status_code == 302
        shown = _receiving_views(app, clients[user.id], user, public_id)
        assert all(shown.values()), shown

    # The consent runs out; no sweep has run, so the referral is still "requested".
    with app.app_context():
        consent = db.session.get(Consent, consent_id)
        consent.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        referral = db.session.scalar(sa.select(Referral).where(Referral.public_id == public_id))
        assert referral.status == ReferralStatus.REQUESTED

    for user in receivers:
        shown = _receiving_views(app, clients[user.id], user, public_id)
        assert not any(shown.values()), shown

    # The sender still has its own referral.
    sender = app.test_client()
    assert login(sender, caseworker).status_code == 302
    assert sender.get(f"/referrals/{public_id}").status_code == 200
    assert public_id in sender.get("/referrals/").get_data(as_text=True)


def test_revoking_consent_hides_it_and_cancels_it(
    app, make_org, make_user, make_program, make_intake
):
    public_id, consent_id, receivers, caseworker = _world(
        app, make_org, make_user, make_program, make_intake
    )
    with app.app_context():
        services_user = db.session.get(User, caseworker.id)
        from referrals.intake import services as intake_services

        intake_services.revoke_consent(db.session.get(Consent, consent_id), by=services_user)
        db.session.commit()
    for user in receivers:
        client = app.test_client()
        assert login(client, user).status_code == 302
        shown = _receiving_views(app, client, user, public_id)
        assert not any(shown.values()), shown
    with app.app_context():
        referral = db.session.scalar(sa.select(Referral).where(Referral.public_id == public_id))
        assert referral.status == ReferralStatus.CANCELLED
        viewer = db.session.get(User, receivers[0].id)
        visible = sa.select(Referral.id).where(access.visible_referrals(viewer, utcnow()))
        assert db.session.scalars(visible).all() == []
