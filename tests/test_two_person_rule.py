"""The two-person rule: an account an administrator opened, reset or moved sees no client
record until a supervisor of its organization (or a second administrator) confirms it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa

from referrals.admin import user_services
from referrals.audit.models import AuditEvent
from referrals.auth.mfa import MFA_REQUIRED_ROLES
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.enums import NotificationKind, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Notification, Referral
from referrals.programs.models import Organization
from tests.conftest import PASSWORD, login


def _records(app, org, make_user, make_program, make_intake) -> tuple[str, str]:
    """An intake and a referral the organization both sent and received."""
    caseworker = make_user(Role.CASEWORKER, org=org)
    program = make_program(org=org)
    intake = make_intake(by=caseworker)
    with app.app_context():
        now = datetime.now(UTC)
        db.session.add(
            Consent(
                intake_id=intake.id,
                given_at=now,
                expires_at=now + timedelta(days=9),
                recorded_by_id=caseworker.id,
                organizations=[db.session.get(Organization, org.id)],
            )
        )
        referral = Referral(
            intake_id=intake.id,
            program_id=program.id,
            receiving_organization_id=org.id,
            sending_organization_id=org.id,
            sent_by_id=caseworker.id,
            status=ReferralStatus.REQUESTED,
            sent_at=now,
            response_due_at=now + timedelta(hours=72),
        )
        db.session.add(referral)
        db.session.commit()
        return intake.client_code, referral.public_id


def _made_by_admin(app, admin: User, org: Organization, role: Role) -> User:
    """An account opened through the admin service; its one-time password then changed."""
    with app.app_context():
        user, _ = user_services.create_user(
            by=db.session.get(User, admin.id),
            email=f"{role.value}.new@example.org",
            display_name=f"New {role.label}",
            role=role,
            organization_id=org.id,
        )
        user.password_hash = hash_password(PASSWORD)
        user.must_change_password = False
        if role in MFA_REQUIRED_ROLES:  # enrolled, as its owner would do at first sign-in
            user.totp_secret = pyotp.random_base32()
            user.mfa_enrolled_at = datetime.now(UTC)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def _signed_in(app, user: User):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _pages(client, client_code: str, public_id: str) -> dict[str, int]:
    return {
        path: client.get(path).status_code
        for path in (
            f"/intakes/{client_code}",
            f"/intakes/{client_code}/consent",
            f"/intakes/{client_code}/matches",
            f"/referrals/{public_id}",
        )
    }


def test_an_account_made_by_an_administrator_sees_nothing_until_confirmed(
    app, make_org, make_user, make_program, make_intake
):
    org = make_org(name="Two Person Org")
    admin = make_user(Role.ADMIN, org=make_org(name="Coalition Office"))
    supervisor = make_user(Role.SUPERVISOR, org=org)
    client_code, public_id = _records(app, org, make_user, make_program, make_intake)

    new = _made_by_admin(app, admin, org, Role.SUPERVISOR)
    client = _signed_in(app, new)
    assert set(_pages(client, client_code, public_id).values()) == {404}
    for path in ("/inbox", "/referrals/", "/intakes/"):
        body = client.get(path).get_data(as_text=True)
        assert public_id not in body, path
        assert client_code not in body, path
        assert 'data-testid="awaiting-confirmation"' in body
    created = client.post("/intakes/new", data={"age_band": "18_24"})
    assert created.status_code == 400
    assert client.get("/audit").get_data(as_text=True).count('data-testid="audit-event"') == 0

    # Another organization's supervisor cannot confirm it: the account does not exist there.
    outsider = _signed_in(app, make_user(Role.SUPERVISOR, org=make_org(name="Elsewhere")))
    assert outsider.post(f"/account/confirmations/{new.id}").status_code == 404
    # The administrator who opened it cannot either (the organization has a supervisor).
    assert _signed_in(app, admin).post(f"/account/confirmations/{new.id}").status_code == 404

    own = _signed_in(app, supervisor)
    listed = own.get("/account/confirmations").get_data(as_text=True)
    assert new.email in listed
    assert own.post(f"/account/confirmations/{new.id}").status_code == 302
    assert set(_pages(client, client_code, public_id).values()) == {200}

    with app.app_context():
        actions = list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(
                    AuditEvent.object_type == "user",
                    AuditEvent.object_id == str(new.id),
                    AuditEvent.action.not_like("login.%"),
                )
                .order_by(AuditEvent.sequence)
            )
        )
        assert actions == [
            "admin.user.created",
            "account.confirmation_requested",
            "account.confirmed",
        ]
        told = dict(
            db.session.execute(
                sa.select(Notification.recipient_id, Notification.kind).where(
                    Notification.kind.in_(
                        [NotificationKind.ACCOUNT_WAITING, NotificationKind.ACCOUNT_CONFIRMED]
                    )
                )
            ).all()
        )
        assert told == {
            supervisor.id: NotificationKind.ACCOUNT_WAITING,
            new.id: NotificationKind.ACCOUNT_CONFIRMED,
        }


def test_a_new_organizations_first_supervisor_needs_a_second_administrator(
    app, make_org, make_user, make_program, make_intake
):
    office = make_org(name="Coalition Office")
    first_admin = make_user(Role.ADMIN, org=office)
    second_admin = make_user(Role.ADMIN, org=office)
    org = make_org(name="Brand New Shelter")
    client_code, public_id = _records(app, org, make_user, make_program, make_intake)
    new = _made_by_admin(app, first_admin, org, Role.SUPERVISOR)

    assert _signed_in(app, first_admin).post(f"/account/confirmations/{new.id}").status_code == 404
    second = _signed_in(app, second_admin)
    assert new.email in second.get("/account/confirmations").get_data(as_text=True)
    assert second.post(f"/account/confirmations/{new.id}").status_code == 302
    assert set(_pages(_signed_in(app, new), client_code, public_id).values()) == {200}


def test_a_password_reset_or_a_move_makes_the_account_wait_again(
    app, make_org, make_user, make_program, make_intake
):
    org = make_org(name="Reset Org")
    admin = make_user(Role.ADMIN, org=make_org(name="Coalition Office"))
    make_user(Role.SUPERVISOR, org=org)
    client_code, public_id = _records(app, org, make_user, make_program, make_intake)
    caseworker = make_user(Role.CASEWORKER, org=org)
    client = _signed_in(app, caseworker)
    assert set(_pages(client, client_code, public_id).values()) == {200}

    with app.app_context():
        user = db.session.get(User, caseworker.id)
        user_services.reset_password(user, by=db.session.get(User, admin.id))
        user.password_hash = hash_password(PASSWORD)
        user.must_change_password = False
        db.session.commit()
    client = _signed_in(app, caseworker)
    assert set(_pages(client, client_code, public_id).values()) == {404}

    mover = make_user(Role.CASEWORKER, org=make_org(name="Old Org"))
    with app.app_context():
        user = db.session.get(User, mover.id)
        user_services.update_user(user, by=db.session.get(User, admin.id), organization_id=org.id)
        db.session.commit()
        assert db.session.get(User, mover.id).awaiting_confirmation


def test_a_waiting_account_hears_of_no_referral(app, make_org, make_user, make_program):
    org = make_org(name="Quiet Org")
    admin = make_user(Role.ADMIN, org=make_org(name="Coalition Office"))
    new = _made_by_admin(app, admin, org, Role.PARTNER)
    partner = make_user(Role.PARTNER, org=org)
    with app.app_context():
        from referrals.access import receiving_staff

        referral = Referral(receiving_organization_id=org.id, sending_organization_id=org.id)
        staff = set(db.session.scalars(sa.select(User.id).where(receiving_staff(referral))))
        assert staff == {partner.id}
        assert new.id not in staff
