"""The attack surface the other ``test_attack_*`` modules walk: every POST route and form.

``POST_ROUTES`` says, for each endpoint that accepts POST, who may use it, the form its view
reads, its URL, the page whose form carries its CSRF token, and one valid submission.
``GET_FORMS`` does the same for filter forms sent with GET. A route or form added to the app
without a line here fails ``test_attack_csrf.test_every_post_route_is_listed`` or
``test_attack_fuzz.test_every_form_is_fuzzed``; with its line, it is attacked for CSRF, mass
assignment and by the fuzz (whose strategies come from the form's own fields) automatically.

The helpers below (a world of records, database snapshots, row counts, the CSRF token of a
page) are shared by the attack modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from werkzeug.test import TestResponse
from wtforms.fields.core import UnboundField

from referrals.admin import forms as admin_forms
from referrals.admin.forms import OrganizationForm, ProgramForm, UserForm
from referrals.audit.forms import AuditFilterForm
from referrals.auth.forms import (
    ChangePasswordForm,
    ConfirmAccountForm,
    EnrolForm,
    ExtendSessionForm,
    LoginForm,
    LogoutForm,
    PasswordConfirmForm,
    SecondStepForm,
)
from referrals.auth.models import User
from referrals.enums import NotificationKind, ReferralStatus, Role, TokenScope
from referrals.extensions import db
from referrals.intake import forms as intake_forms
from referrals.intake.forms import ConsentForm, IntakeForm
from referrals.intake.models import Consent
from referrals.language.forms import LanguageForm
from referrals.lifecycle.forms import ActionForm, AssignForm, ForwardForm, MessageForm, SendForm
from referrals.lifecycle.models import Notification, Referral
from referrals.notifications.forms import NotificationActionForm
from referrals.programs.forms import CapacityForm, DirectoryFilterForm
from referrals.programs.models import Organization
from referrals.tokens.forms import NewTokenForm, RevokeTokenForm
from referrals.tokens.models import ApiToken
from referrals.webhooks.forms import NewWebhookForm, SwitchWebhookForm
from referrals.webhooks.models import WebhookEndpoint
from tests.conftest import PASSWORD, fresh_totp_code, login
from tests.test_access_matrix import EXPECTED, Targets
from tests.token_routes import is_token_route

FormData = dict[str, Any]

# A new password the policy accepts (long, not a common password, not the e-mail address).
NEW_PASSWORD = "purple elephants juggle quietly at noon 42"

# Tables that record sessions and sign-in attempts rather than anything a form creates.
BOOKKEEPING_TABLES = frozenset({"user_sessions", "login_throttles"})
# Columns every request may touch (the server-side session's "last seen").
VOLATILE_COLUMNS = frozenset({("user_sessions", "last_seen_at")})


@dataclass
class World:
    """Two organizations' records, plus an unrelated organization and user to point at."""

    own: Organization
    other: Organization
    unrelated: Organization  # nothing legitimately refers to it: injected ids point here
    users: dict[Role, User]
    staff_member: User  # a caseworker of ``own`` that admin actions are taken on
    enrolled_caseworker: User  # uses two-step sign-in without having to
    unrelated_user: User
    program_id: int
    other_program_id: int
    spare_program_id: int  # no referral yet: the draft route drafts to it
    second_program_id: int  # the own organization's other program: forwarding goes there
    uncovered_org_id: int  # receives referrals; the intake's consent does not name it
    client_code: str
    closed_client_code: str
    other_intake_id: int  # another organization's intake: injected intake ids point here
    intake_id: int
    consent_id: int
    requested_id: str  # a requested referral own -> own: the partner answers it
    draft_id: str  # a draft own -> other: the caseworker sends it
    notification_id: int  # for the partner
    api_token_id: int  # the own organization's API token, made by its supervisor
    webhook_id: int  # the own organization's webhook endpoint

    def user(self, role: Role) -> User:
        return self.users[role]

    def targets(self) -> Targets:
        """The own organization's ids in the shape tests/test_access_matrix.py's URLs take."""
        return Targets(
            self.own.id,
            self.staff_member.id,
            self.program_id,
            self.client_code,
            self.consent_id,
            self.requested_id,
            self.notification_id,
            self.api_token_id,
            self.webhook_id,
        )


def build_world(
    app: Flask,
    make_org: Callable[..., Organization],
    make_user: Callable[..., User],
    make_program: Callable[..., Any],
    make_intake: Callable[..., Any],
) -> World:
    """Create the records every attack test needs (call inside a test using ``app``)."""
    own = make_org(name="Own Organization", slug="own-organization")
    other = make_org(name="Other Organization", slug="other-organization")
    unrelated = make_org(name="Unrelated Organization", slug="unrelated-organization")
    users = {role: make_user(role, org=own) for role in Role}
    staff_member = make_user(Role.CASEWORKER, org=own)
    enrolled_caseworker = make_user(Role.CASEWORKER, org=own, mfa=True)
    unrelated_user = make_user(Role.CASEWORKER, org=unrelated)
    program = make_program(org=own, name="Own Program")
    other_program = make_program(org=other, name="Other Program")
    spare_program = make_program(org=other, name="Spare Program")
    second_program = make_program(org=own, name="Own Second Program")  # to forward to
    # A receiving organization no consent names yet: extending consent adds it.
    uncovered = make_org(name="Uncovered Organization", slug="uncovered-organization")
    caseworker = users[Role.CASEWORKER]
    intake = make_intake(by=caseworker)
    closed = make_intake(by=caseworker, is_open=False, closed_at=datetime.now(UTC))
    other_intake = make_intake(by=make_user(Role.CASEWORKER, org=other))
    with app.app_context():
        now = datetime.now(UTC)
        consent = Consent(
            intake_id=intake.id,
            given_at=now,
            expires_at=now + timedelta(days=30),
            recorded_by_id=caseworker.id,
            organizations=[
                db.session.get(Organization, own.id),
                db.session.get(Organization, other.id),
            ],
        )
        requested = Referral(
            intake_id=intake.id,
            program_id=program.id,
            receiving_organization_id=own.id,
            sending_organization_id=own.id,
            sent_by_id=caseworker.id,
            status=ReferralStatus.REQUESTED,
            sent_at=now,
            response_due_at=now + timedelta(hours=72),
        )
        draft = Referral(
            intake_id=intake.id,
            program_id=other_program.id,
            receiving_organization_id=other.id,
            sending_organization_id=own.id,
            sent_by_id=caseworker.id,
            status=ReferralStatus.DRAFT,
        )
        db.session.add_all([consent, requested, draft])
        db.session.flush()
        notification = Notification(
            recipient_id=users[Role.PARTNER].id,
            referral_id=requested.id,
            kind=NotificationKind.NEW_REFERRAL,
        )
        db.session.add(notification)
        token = ApiToken(
            organization_id=own.id,
            created_by_id=users[Role.SUPERVISOR].id,
            name="Case system",
            token_hash="0" * 64,
            prefix="kcr_test",
            role=Role.PARTNER,
            scope=TokenScope.READ,
            expires_at=now + timedelta(days=30),
        )
        webhook = WebhookEndpoint(
            organization_id=own.id,
            created_by_id=users[Role.SUPERVISOR].id,
            url="https://example.org/hooks",
            secret="whsec_dGVzdA==",
        )
        db.session.add_all([token, webhook])
        db.session.commit()
        return World(
            own=own,
            other=other,
            unrelated=unrelated,
            users=users,
            staff_member=staff_member,
            enrolled_caseworker=enrolled_caseworker,
            unrelated_user=unrelated_user,
            program_id=program.id,
            other_program_id=other_program.id,
            spare_program_id=spare_program.id,
            second_program_id=second_program.id,
            uncovered_org_id=uncovered.id,
            client_code=intake.client_code,
            closed_client_code=closed.client_code,
            other_intake_id=other_intake.id,
            intake_id=intake.id,
            consent_id=consent.id,
            requested_id=requested.public_id,
            draft_id=draft.public_id,
            notification_id=notification.id,
            api_token_id=token.id,
            webhook_id=webhook.id,
        )


def referral_version(app: Flask, public_id: str) -> str:
    """The version a form must carry to act on the referral now."""
    with app.app_context():
        version = db.session.scalar(
            sa.select(Referral.version).where(Referral.public_id == public_id)
        )
        db.session.remove()
    return str(version)


@dataclass(frozen=True)
class PostRoute:
    """One POST endpoint: who uses it, where, the page with its form, a valid submission."""

    role: Role | None  # None: signed out (the sign-in form)
    form: type[FlaskForm]  # the form the view reads (the fuzz takes its fields from it)
    url: Callable[[World], str]
    form_page: Callable[[World], str]
    data: Callable[[Flask, World], FormData] = lambda app, w: {}
    # The user the client signs in as, when not the role's member of the own organization.
    who: Callable[[World], User] | None = None
    # A client in the state the route needs, when signing ``user`` in is not enough.
    prepare: Callable[[Flask, World], FlaskClient] | None = None
    # How to tell the view did its work from the response, for a view that writes nothing
    # a snapshot sees; otherwise the database must change.
    reached: Callable[[TestResponse], bool] | None = None

    def user(self, world: World) -> User | None:
        if self.who is not None:
            return self.who(world)
        return world.user(self.role) if self.role is not None else None

    def client(self, app: Flask, world: World) -> FlaskClient:
        """A client ready to POST to this route (CSRF protection must be off meanwhile)."""
        if self.prepare is not None:
            return self.prepare(app, world)
        return signed_in(app, self.user(world))


def _intake_fields(app: Flask, w: World) -> FormData:
    return {
        "age_band": "25_34",
        "gender": "female",
        "languages": ["English", "Spanish"],
        "county": "Jackson County, MO",
        "needs": ["counseling", "legal_aid"],
        "urgency": "urgent",
        "indicators": [],
        "situation_note": "Needs a safe place to stay this week.",
    }


def _consent_fields(app: Flask, w: World) -> FormData:
    return {
        "organization_ids": [str(w.own.id), str(w.other.id)],
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        "written_confirmed": "y",
    }


def _program_fields(app: Flask, w: World) -> FormData:
    return {
        "organization_id": str(w.own.id),
        "name": "Fresh Program",
        "description": "Counseling sessions twice a week.",
        "service_types": ["counseling"],
        "min_age": "18",
        "max_age": "99",
        "genders_served": ["female"],
        "languages": ["English", "Spanish"],
        "counties_served": "Jackson County, MO",
        "capacity_available": "3",
        "capacity_maximum": "10",
        "capacity_unit": "slot",
        "response_time_hours": "48",
        "status": "active",
    }


def _user_fields(app: Flask, w: World) -> FormData:
    return {
        "email": "fresh.person@example.org",
        "display_name": "Fresh Person",
        "role": "caseworker",
        "organization_id": str(w.own.id),
    }


def _org_fields(app: Flask, w: World) -> FormData:
    return {
        "name": "Fresh Organization",
        "slug": "fresh-organization",
        "description": "Drop-in meals and legal clinics.",
        "phone": "816 555 0100",
        "website": "https://fresh.example.org",
        "refers": "y",
        "receives": "y",
    }


def _password_step_passed(app: Flask, w: World) -> FlaskClient:
    """A browser that has just passed the password step of a supervisor (two-step user)."""
    client = app.test_client()
    supervisor = w.user(Role.SUPERVISOR)
    response = client.post("/login", data={"email": supervisor.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/verify"), response.status_code
    return client


def _pending_key_code(app: Flask, w: World) -> FormData:
    """A code from the key the caseworker's two-step page has just made for enrolment."""
    caseworker = w.user(Role.CASEWORKER)
    with app.app_context():
        secret = db.session.scalar(sa.select(User.totp_secret).where(User.id == caseworker.id))
        db.session.remove()
    assert secret, "the two-step page made no key"
    return {"code": pyotp.TOTP(secret).now(), "password": PASSWORD}


def _staff_member_waiting(app: Flask, w: World) -> FlaskClient:
    """The supervisor's browser, with the staff member waiting for confirmation (as after an
    administrator reset its password)."""
    with app.app_context():
        member = db.session.get(User, w.staff_member.id)
        assert member is not None
        member.awaiting_confirmation_since = datetime.now(UTC)
        member.confirmation_asked_by_id = w.user(Role.ADMIN).id
        db.session.commit()
        db.session.remove()
    return signed_in(app, w.user(Role.SUPERVISOR))


def _intake(w: World) -> str:
    return f"/intakes/{w.client_code}"


POST_ROUTES: dict[str, PostRoute] = {
    "auth.login": PostRoute(
        None,
        LoginForm,
        url=lambda w: "/login",
        form_page=lambda w: "/login",
        data=lambda app, w: {"email": w.user(Role.CASEWORKER).email, "password": PASSWORD},
    ),
    "auth.logout": PostRoute(
        Role.CASEWORKER, LogoutForm, url=lambda w: "/logout", form_page=lambda w: "/"
    ),
    "auth.second_step": PostRoute(
        None,
        SecondStepForm,
        url=lambda w: "/login/verify",
        form_page=lambda w: "/login/verify",
        data=lambda app, w: {"code": fresh_totp_code(app, w.user(Role.SUPERVISOR).id)},
        prepare=_password_step_passed,
    ),
    "auth.extend_session": PostRoute(
        Role.CASEWORKER,
        ExtendSessionForm,
        url=lambda w: "/session/extend",
        form_page=lambda w: "/",
        data=lambda app, w: {"next": "/programs/"},
        # It only moves the session's "last seen"; the redirect to ``next`` shows it ran.
        reached=lambda response: response.headers.get("Location") == "/programs/",
    ),
    "auth.confirm": PostRoute(
        Role.SUPERVISOR,
        ConfirmAccountForm,
        url=lambda w: f"/account/confirmations/{w.staff_member.id}",
        form_page=lambda w: "/account/confirmations",
        prepare=_staff_member_waiting,
    ),
    "auth.enrol_two_step": PostRoute(
        Role.CASEWORKER,
        EnrolForm,
        url=lambda w: "/account/two-step/enrol",
        form_page=lambda w: "/account/two-step",
        data=_pending_key_code,
    ),
    "auth.new_recovery_codes": PostRoute(
        Role.SUPERVISOR,
        PasswordConfirmForm,
        url=lambda w: "/account/two-step/recovery-codes",
        form_page=lambda w: "/account/two-step",
        data=lambda app, w: {"password": PASSWORD},
    ),
    "auth.disable_two_step": PostRoute(
        Role.CASEWORKER,
        PasswordConfirmForm,
        url=lambda w: "/account/two-step/disable",
        form_page=lambda w: "/account/two-step",
        data=lambda app, w: {"password": PASSWORD},
        who=lambda w: w.enrolled_caseworker,
    ),
    "auth.change_password": PostRoute(
        Role.CASEWORKER,
        ChangePasswordForm,
        url=lambda w: "/account/password",
        form_page=lambda w: "/account/password",
        data=lambda app, w: {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    ),
    "admin.new_organization": PostRoute(
        Role.ADMIN,
        OrganizationForm,
        url=lambda w: "/admin/organizations/new",
        form_page=lambda w: "/admin/organizations/new",
        data=_org_fields,
    ),
    "admin.edit_organization": PostRoute(
        Role.ADMIN,
        OrganizationForm,
        url=lambda w: f"/admin/organizations/{w.other.id}/edit",
        form_page=lambda w: f"/admin/organizations/{w.other.id}/edit",
        data=_org_fields,
    ),
    "admin.deactivate_organization": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/organizations/{w.other.id}/deactivate",
        form_page=lambda w: "/admin/organizations/",
    ),
    "admin.activate_organization": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/organizations/{w.other.id}/activate",
        form_page=lambda w: "/admin/organizations/",
    ),
    "admin.new_program": PostRoute(
        Role.ADMIN,
        ProgramForm,
        url=lambda w: "/admin/programs/new",
        form_page=lambda w: "/admin/programs/new",
        data=_program_fields,
    ),
    "admin.edit_program": PostRoute(
        Role.ADMIN,
        ProgramForm,
        url=lambda w: f"/admin/programs/{w.program_id}/edit",
        form_page=lambda w: f"/admin/programs/{w.program_id}/edit",
        data=_program_fields,
    ),
    "admin.deactivate_program": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/programs/{w.program_id}/deactivate",
        form_page=lambda w: "/admin/programs/",
    ),
    "admin.activate_program": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/programs/{w.program_id}/activate",
        form_page=lambda w: "/admin/programs/",
    ),
    "admin.new_user": PostRoute(
        Role.ADMIN,
        UserForm,
        url=lambda w: "/admin/users/new",
        form_page=lambda w: "/admin/users/new",
        data=_user_fields,
    ),
    "admin.edit_user": PostRoute(
        Role.ADMIN,
        UserForm,
        url=lambda w: f"/admin/users/{w.staff_member.id}/edit",
        form_page=lambda w: f"/admin/users/{w.staff_member.id}/edit",
        data=_user_fields,
    ),
    "admin.deactivate_user": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/users/{w.staff_member.id}/deactivate",
        form_page=lambda w: "/admin/users/",
    ),
    "admin.activate_user": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/users/{w.staff_member.id}/activate",
        form_page=lambda w: "/admin/users/",
    ),
    "admin.reset_password": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/users/{w.staff_member.id}/reset-password",
        form_page=lambda w: f"/admin/users/{w.staff_member.id}/edit",
    ),
    "admin.reset_two_step": PostRoute(
        Role.ADMIN,
        admin_forms.ConfirmForm,
        url=lambda w: f"/admin/users/{w.enrolled_caseworker.id}/reset-two-step",
        form_page=lambda w: f"/admin/users/{w.enrolled_caseworker.id}/edit",
    ),
    "intake.new": PostRoute(
        Role.CASEWORKER,
        IntakeForm,
        url=lambda w: "/intakes/new",
        form_page=lambda w: "/intakes/new",
        data=_intake_fields,
    ),
    "intake.edit": PostRoute(
        Role.CASEWORKER,
        IntakeForm,
        url=lambda w: f"{_intake(w)}/edit",
        form_page=lambda w: f"{_intake(w)}/edit",
        data=_intake_fields,
    ),
    "intake.close": PostRoute(
        Role.CASEWORKER,
        intake_forms.ConfirmForm,
        url=lambda w: f"{_intake(w)}/close",
        form_page=_intake,
    ),
    "intake.reopen": PostRoute(
        Role.CASEWORKER,
        intake_forms.ConfirmForm,
        url=lambda w: f"/intakes/{w.closed_client_code}/reopen",
        form_page=lambda w: f"/intakes/{w.closed_client_code}",
    ),
    "intake.consent": PostRoute(
        Role.CASEWORKER,
        ConsentForm,
        url=lambda w: f"{_intake(w)}/consent",
        form_page=lambda w: f"{_intake(w)}/consent",
        data=_consent_fields,
    ),
    "intake.revoke_consent": PostRoute(
        Role.CASEWORKER,
        intake_forms.ConfirmForm,
        url=lambda w: f"{_intake(w)}/consent/{w.consent_id}/revoke",
        form_page=lambda w: f"{_intake(w)}/consent",
    ),
    "intake.draft_referral": PostRoute(
        Role.CASEWORKER,
        intake_forms.ConfirmForm,
        url=lambda w: f"{_intake(w)}/matches/{w.spare_program_id}/draft",
        form_page=lambda w: f"{_intake(w)}/matches",
    ),
    "lifecycle.act": PostRoute(
        Role.PARTNER,
        ActionForm,
        url=lambda w: f"/referrals/{w.requested_id}/accept",
        form_page=lambda w: f"/referrals/{w.requested_id}",
        data=lambda app, w: {"version": referral_version(app, w.requested_id)},
    ),
    # Variants of one endpoint are keyed "endpoint:variant".
    "lifecycle.act:decline": PostRoute(
        Role.PARTNER,
        ActionForm,
        url=lambda w: f"/referrals/{w.requested_id}/decline",
        form_page=lambda w: f"/referrals/{w.requested_id}",
        data=lambda app, w: {
            "version": referral_version(app, w.requested_id),
            "reason": "other",
            "note": "Our waiting list is closed this month.",
            "confirm": "y",
        },
    ),
    "lifecycle.act:send": PostRoute(
        Role.CASEWORKER,
        SendForm,
        url=lambda w: f"/referrals/{w.draft_id}/send",
        form_page=lambda w: f"/referrals/{w.draft_id}",
        data=lambda app, w: {
            "version": referral_version(app, w.draft_id),
            "priority": "urgent",
            "note": "Prefers a counselor who speaks Spanish.",
        },
    ),
    "lifecycle.post_message": PostRoute(
        Role.PARTNER,
        MessageForm,
        url=lambda w: f"/referrals/{w.requested_id}/messages",
        form_page=lambda w: f"/referrals/{w.requested_id}",
        data=lambda app, w: {"body": "Can the client come in on a weekday morning?"},
    ),
    "lifecycle.assign": PostRoute(
        Role.PARTNER,
        AssignForm,
        url=lambda w: f"/referrals/{w.requested_id}/assign",
        form_page=lambda w: f"/referrals/{w.requested_id}",
        data=lambda app, w: {"assignee": str(w.user(Role.PARTNER).id)},
    ),
    "lifecycle.forward": PostRoute(
        Role.PARTNER,
        ForwardForm,
        url=lambda w: f"/referrals/{w.requested_id}/forward",
        form_page=lambda w: f"/referrals/{w.requested_id}",
        data=lambda app, w: {
            "version": referral_version(app, w.requested_id),
            "program": str(w.second_program_id),
            "note": "Our counseling team will take this one.",
        },
    ),
    "intake.refer": PostRoute(
        Role.CASEWORKER,
        intake_forms.ReferForm,
        url=lambda w: f"{_intake(w)}/matches/{w.second_program_id}/refer",
        form_page=lambda w: f"{_intake(w)}/matches",
        data=lambda app, w: {"priority": "urgent", "note": "Needs a bed soon.", "confirm": "y"},
    ),
    "intake.extend_consent": PostRoute(
        Role.CASEWORKER,
        intake_forms.ExtendConsentForm,
        url=lambda w: f"{_intake(w)}/consent/extend",
        form_page=lambda w: f"{_intake(w)}/matches",
        data=lambda app, w: {"organization_id": str(w.uncovered_org_id), "agreed": "y"},
    ),
    "intake.assign": PostRoute(
        Role.CASEWORKER,
        intake_forms.IntakeAssignForm,
        url=lambda w: f"{_intake(w)}/assign",
        form_page=lambda w: _intake(w),
        data=lambda app, w: {"assignee": str(w.user(Role.CASEWORKER).id)},
    ),
    "notifications.read": PostRoute(
        Role.PARTNER,
        NotificationActionForm,
        url=lambda w: f"/notifications/{w.notification_id}/read",
        form_page=lambda w: "/notifications",
    ),
    "notifications.read_all": PostRoute(
        Role.PARTNER,
        NotificationActionForm,
        url=lambda w: "/notifications/read-all",
        form_page=lambda w: "/notifications",
    ),
    "tokens.create": PostRoute(
        Role.SUPERVISOR,
        NewTokenForm,
        url=lambda w: "/account/api-tokens",
        form_page=lambda w: "/account/api-tokens",
        data=lambda app, w: {
            "name": "Case system",
            "role": "partner",
            "scope": "read",
            "days": "30",
        },
    ),
    "tokens.revoke": PostRoute(
        Role.SUPERVISOR,
        RevokeTokenForm,
        url=lambda w: f"/account/api-tokens/{w.api_token_id}/revoke",
        form_page=lambda w: "/account/api-tokens",
    ),
    "webhooks.create": PostRoute(
        Role.SUPERVISOR,
        NewWebhookForm,
        url=lambda w: "/account/webhooks",
        form_page=lambda w: "/account/webhooks",
        data=lambda app, w: {"url": "http://127.0.0.1:9/hooks"},
    ),
    "webhooks.switch": PostRoute(
        Role.SUPERVISOR,
        SwitchWebhookForm,
        url=lambda w: f"/account/webhooks/{w.webhook_id}/switch",
        form_page=lambda w: f"/account/webhooks/{w.webhook_id}",
    ),
    "language.switch": PostRoute(
        Role.CASEWORKER,
        LanguageForm,
        url=lambda w: "/language",
        form_page=lambda w: "/",
        data=lambda app, w: {"language": "es", "next": "/programs/"},
    ),
    # The sign-in page's switch: nothing in the database, only the cookie and the way back.
    "language.switch:signed-out": PostRoute(
        None,
        LanguageForm,
        url=lambda w: "/language",
        form_page=lambda w: "/login",
        data=lambda app, w: {"language": "es", "next": "/login"},
        reached=lambda response: "locale=es" in response.headers.get("Set-Cookie", ""),
    ),
    "programs.update_capacity": PostRoute(
        Role.PARTNER,
        CapacityForm,
        url=lambda w: f"/programs/{w.program_id}/capacity",
        form_page=lambda w: f"/programs/{w.program_id}",
        data=lambda app, w: {"available": "2", "maximum": "9"},
    ),
}


@dataclass(frozen=True)
class GetForm:
    """A form sent with GET (filters): nothing changes, so no CSRF token; fuzzed all the same."""

    role: Role
    url: str
    data: FormData


GET_FORMS: dict[type[FlaskForm], GetForm] = {
    AuditFilterForm: GetForm(
        Role.SUPERVISOR,
        "/audit",
        {
            "action": "intake.created",
            "actor": "",
            "object_type": "intake",
            "object_id": "1",
            "start": "2024-01-01",
            "end": "2030-12-31",
        },
    ),
    DirectoryFilterForm: GetForm(
        Role.CASEWORKER,
        "/programs/",
        {
            "service": "counseling",
            "age": "30",
            "gender": "female",
            "language": "Spanish",
            "county": "Jackson County, MO",
            "open_only": "y",
        },
    ),
}


def form_classes() -> list[type[FlaskForm]]:
    """Every FlaskForm subclass the package defines (building an app imports every view)."""
    from config import TestingConfig
    from referrals import create_app

    create_app(TestingConfig)
    found: list[type[FlaskForm]] = []
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.startswith("referrals."):
            found.append(form)
    return sorted(set(found), key=form_name)


def form_fields(form: type[FlaskForm]) -> dict[str, UnboundField]:
    """The fields a form class declares, by name (the CSRF field is added per request)."""
    return {
        name: value for name in dir(form) if isinstance(value := getattr(form, name), UnboundField)
    }


def form_name(form: type[FlaskForm]) -> str:
    return f"{form.__module__}.{form.__qualname__}"


def endpoints_accepting(method: str) -> list[str]:
    """Every page endpoint of the app that accepts ``method``, read from a fresh app's url_map
    (the token routes take no form and no cookie: tests/test_token_access_matrix.py)."""
    from config import TestingConfig
    from referrals import create_app

    app = create_app(TestingConfig)
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if method in (rule.methods or ()) and not is_token_route(rule)
        }
    )


def post_endpoints() -> list[str]:
    return endpoints_accepting("POST")


GET_ENDPOINTS = frozenset(endpoints_accepting("GET"))


def get_pages(world: World) -> list[tuple[Role, str, str]]:
    """(role, endpoint, URL) of every GET page in the access matrix's table that each role may
    open for its own organization (so a page added there is visited here too)."""
    targets = world.targets()
    return [
        (role, endpoint, build_url(targets))
        for endpoint, (rule, build_url) in sorted(EXPECTED.items())
        if endpoint in GET_ENDPOINTS
        for role in Role
        if rule(role, True) == "ok"
    ]


def signed_in(app: Flask, user: User | None) -> FlaskClient:
    """A client signed in as ``user`` through the real form (or signed out for None)."""
    client = app.test_client()
    if user is not None:
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


_TOKEN = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


def csrf_token_of(client: FlaskClient, url: str) -> str:
    """The CSRF token in the form of the page at ``url`` (fetched for real)."""
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match is not None, f"no csrf_token in a form of {url}"
    return match.group(1)


def snapshot(
    app: Flask, ignore: frozenset[tuple[str, str]] = frozenset()
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (bar the session's "last seen" and the ``ignore``d columns),
    for before/after comparison."""
    skipped = VOLATILE_COLUMNS | ignore
    with app.app_context():
        result: dict[str, list[tuple[Any, ...]]] = {}
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in skipped]
            rows = db.session.execute(sa.select(*columns)).all()
            result[table.name] = sorted((tuple(row) for row in rows), key=repr)
        db.session.remove()
    return result


def changed_rows(
    before: Mapping[str, list[tuple[Any, ...]]], after: Mapping[str, list[tuple[Any, ...]]]
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of ``after`` that are not in ``before`` (new rows and new versions of rows)."""
    result = {}
    for name, rows in after.items():
        old = set(map(repr, before.get(name, [])))
        new = [row for row in rows if repr(row) not in old]
        if new:
            result[name] = new
    return result


def row_counts(app: Flask) -> dict[str, int]:
    """The number of rows of every table but the bookkeeping ones, in one statement."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING_TABLES]
    query = sa.select(
        *(sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables)
    )
    with app.app_context():
        row = db.session.execute(query).one()
        db.session.remove()
    return dict(row._mapping)


def delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """Tables whose row count changed, with the change."""
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def test_post_routes_table_builds_urls(
    app: Flask, make_org: Any, make_user: Any, make_program: Any, make_intake: Any
) -> None:
    """Every line of the table builds its URLs against a world (the data may need a GET first)."""
    world = build_world(app, make_org, make_user, make_program, make_intake)
    for endpoint, route in POST_ROUTES.items():
        assert route.url(world).startswith("/"), endpoint
        assert route.form_page(world).startswith("/"), endpoint
