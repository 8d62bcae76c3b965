"""Every route, method and role, for own and other organizations, against one table.

A route added to the app without a line in EXPECTED fails ``test_every_route_is_listed``,
so nothing ships unchecked. Expectations:

- ``ok``: the role may use it (any answer but 403, 404, 405 or a bounce to /login);
- ``403``: the role may never use it;
- ``404``: the role may use it for its own organization's records, and another
  organization's record does not exist for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from referrals.enums import NotificationKind, ReferralStatus, Role, TokenScope
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Notification, Referral
from referrals.programs.models import Organization
from referrals.tokens.models import ApiToken
from referrals.webhooks.models import WebhookEndpoint
from tests.conftest import login
from tests.token_routes import is_token_route

CASE_STAFF = {Role.CASEWORKER, Role.SUPERVISOR}
PROGRAM_STAFF = {Role.PARTNER, Role.SUPERVISOR}
ROLES = [None, *Role]  # None: signed out


def everyone(role: Role, same_org: bool) -> str:
    return "ok"


def admin_only(role: Role, same_org: bool) -> str:
    return "ok" if role == Role.ADMIN else "403"


def intake_list(role: Role, same_org: bool) -> str:
    return "ok" if role in CASE_STAFF else "403"


def intake_record(role: Role, same_org: bool) -> str:
    if role not in CASE_STAFF:
        return "403"
    return "ok" if same_org else "404"


def program_capacity(role: Role, same_org: bool) -> str:
    if role == Role.ADMIN or (role in PROGRAM_STAFF and same_org):
        return "ok"
    return "403"


def inbox(role: Role, same_org: bool) -> str:
    return "ok" if role in PROGRAM_STAFF else "403"


def sent_list(role: Role, same_org: bool) -> str:
    return "ok" if role in CASE_STAFF else "403"


def referral_page(role: Role, same_org: bool) -> str:
    # Admins never read client records; other organizations' referrals do not exist for them.
    return "ok" if same_org and role != Role.ADMIN else "404"


def referral_action(role: Role, same_org: bool) -> str:
    if not same_org or role == Role.ADMIN:
        return "404"
    return "ok" if role in PROGRAM_STAFF else "403"  # accepting is the receiver's move


def nobody(role: Role, same_org: bool) -> str:
    return "404"  # someone else's notification


def supervisor_page(role: Role, same_org: bool) -> str:
    return "ok" if role == Role.SUPERVISOR else "403"


def supervisor_record(role: Role, same_org: bool) -> str:
    if role != Role.SUPERVISOR:
        return "403"
    return "ok" if same_org else "404"


@dataclass
class Targets:
    """Ids of one organization's records, used to fill in URLs."""

    org_id: int
    user_id: int
    program_id: int
    client_code: str
    consent_id: int
    public_id: str
    notification_id: int
    api_token_id: int = 0
    webhook_id: int = 0


# endpoint -> (rule for GET/POST, URL builder)
EXPECTED: dict[str, tuple[Callable[[Role, bool], str], Callable[[Targets], str]]] = {
    "dashboard.home": (everyone, lambda t: "/"),
    # Dashboards: everyone's own figures but admins'; the coalition view for supervisors.
    "dashboard.dashboard": (
        lambda role, same_org: "403" if role == Role.ADMIN else "ok",
        lambda t: "/dashboard",
    ),
    "dashboard.export": (
        lambda role, same_org: "403" if role == Role.ADMIN else "ok",
        lambda t: "/dashboard/export.csv",
    ),
    "dashboard.coalition": (
        lambda role, same_org: "ok" if role == Role.SUPERVISOR else "403",
        lambda t: "/dashboard/coalition",
    ),
    "auth.change_password": (everyone, lambda t: "/account/password"),
    "auth.logout": (everyone, lambda t: "/logout"),
    "auth.extend_session": (everyone, lambda t: "/session/extend"),
    "auth.session_status": (everyone, lambda t: "/session/status"),
    "auth.two_step": (everyone, lambda t: "/account/two-step"),
    "auth.enrol_two_step": (everyone, lambda t: "/account/two-step/enrol"),
    "auth.new_recovery_codes": (everyone, lambda t: "/account/two-step/recovery-codes"),
    "auth.disable_two_step": (everyone, lambda t: "/account/two-step/disable"),
    "auth.confirmations": (
        lambda role, same_org: "ok" if role in (Role.SUPERVISOR, Role.ADMIN) else "403",
        lambda t: "/account/confirmations",
    ),
    # Only an account waiting for this user's confirmation exists here: none in the world.
    "auth.confirm": (
        lambda role, same_org: "404" if role in (Role.SUPERVISOR, Role.ADMIN) else "403",
        lambda t: f"/account/confirmations/{t.user_id}",
    ),
    "admin.index": (admin_only, lambda t: "/admin/"),
    "admin.organizations": (admin_only, lambda t: "/admin/organizations/"),
    "admin.new_organization": (admin_only, lambda t: "/admin/organizations/new"),
    "admin.edit_organization": (admin_only, lambda t: f"/admin/organizations/{t.org_id}/edit"),
    "admin.deactivate_organization": (
        admin_only,
        lambda t: f"/admin/organizations/{t.org_id}/deactivate",
    ),
    "admin.activate_organization": (
        admin_only,
        lambda t: f"/admin/organizations/{t.org_id}/activate",
    ),
    "admin.programs": (admin_only, lambda t: "/admin/programs/"),
    "admin.new_program": (admin_only, lambda t: "/admin/programs/new"),
    "admin.edit_program": (admin_only, lambda t: f"/admin/programs/{t.program_id}/edit"),
    "admin.deactivate_program": (
        admin_only,
        lambda t: f"/admin/programs/{t.program_id}/deactivate",
    ),
    "admin.activate_program": (admin_only, lambda t: f"/admin/programs/{t.program_id}/activate"),
    "admin.users": (admin_only, lambda t: "/admin/users/"),
    "admin.new_user": (admin_only, lambda t: "/admin/users/new"),
    "admin.edit_user": (admin_only, lambda t: f"/admin/users/{t.user_id}/edit"),
    "admin.deactivate_user": (admin_only, lambda t: f"/admin/users/{t.user_id}/deactivate"),
    "admin.activate_user": (admin_only, lambda t: f"/admin/users/{t.user_id}/activate"),
    "admin.reset_password": (admin_only, lambda t: f"/admin/users/{t.user_id}/reset-password"),
    "admin.reset_two_step": (admin_only, lambda t: f"/admin/users/{t.user_id}/reset-two-step"),
    "intake.index": (intake_list, lambda t: "/intakes/"),
    "intake.new": (intake_list, lambda t: "/intakes/new"),
    "intake.detail": (intake_record, lambda t: f"/intakes/{t.client_code}"),
    "intake.edit": (intake_record, lambda t: f"/intakes/{t.client_code}/edit"),
    "intake.close": (intake_record, lambda t: f"/intakes/{t.client_code}/close"),
    "intake.reopen": (intake_record, lambda t: f"/intakes/{t.client_code}/reopen"),
    "intake.consent": (intake_record, lambda t: f"/intakes/{t.client_code}/consent"),
    "intake.revoke_consent": (
        intake_record,
        lambda t: f"/intakes/{t.client_code}/consent/{t.consent_id}/revoke",
    ),
    "intake.matches": (intake_record, lambda t: f"/intakes/{t.client_code}/matches"),
    "intake.assign": (intake_record, lambda t: f"/intakes/{t.client_code}/assign"),
    "intake.refer": (
        intake_record,
        lambda t: f"/intakes/{t.client_code}/matches/{t.program_id}/refer",
    ),
    "intake.extend_consent": (intake_record, lambda t: f"/intakes/{t.client_code}/consent/extend"),
    "intake.draft_referral": (
        intake_record,
        lambda t: f"/intakes/{t.client_code}/matches/{t.program_id}/draft",
    ),
    "lifecycle.inbox": (inbox, lambda t: "/inbox"),
    "lifecycle.sent": (sent_list, lambda t: "/referrals/"),
    "lifecycle.detail": (referral_page, lambda t: f"/referrals/{t.public_id}"),
    "lifecycle.act": (referral_action, lambda t: f"/referrals/{t.public_id}/accept"),
    # Both sides write to the thread and assign their own staff; forwarding is the receiver's.
    "lifecycle.post_message": (referral_page, lambda t: f"/referrals/{t.public_id}/messages"),
    "lifecycle.assign": (referral_page, lambda t: f"/referrals/{t.public_id}/assign"),
    "lifecycle.forward": (referral_action, lambda t: f"/referrals/{t.public_id}/forward"),
    "notifications.index": (everyone, lambda t: "/notifications"),
    "notifications.read": (nobody, lambda t: f"/notifications/{t.notification_id}/read"),
    "notifications.read_all": (everyone, lambda t: "/notifications/read-all"),
    "programs.index": (everyone, lambda t: "/programs/"),
    "programs.detail": (everyone, lambda t: f"/programs/{t.program_id}"),
    "programs.update_capacity": (program_capacity, lambda t: f"/programs/{t.program_id}/capacity"),
    "tokens.index": (supervisor_page, lambda t: "/account/api-tokens"),
    "tokens.create": (supervisor_page, lambda t: "/account/api-tokens"),
    "tokens.revoke": (
        supervisor_record,
        lambda t: f"/account/api-tokens/{t.api_token_id}/revoke",
    ),
    "webhooks.index": (supervisor_page, lambda t: "/account/webhooks"),
    "webhooks.create": (supervisor_page, lambda t: "/account/webhooks"),
    "webhooks.detail": (supervisor_record, lambda t: f"/account/webhooks/{t.webhook_id}"),
    "webhooks.switch": (supervisor_record, lambda t: f"/account/webhooks/{t.webhook_id}/switch"),
    "audit.index": (
        lambda role, same_org: "ok" if role in (Role.SUPERVISOR, Role.ADMIN) else "403",
        lambda t: "/audit",
    ),
}
# Public by design: checked in tests/test_access.py.
# auth.second_step answers only a browser that has just passed the password step.
# language.switch serves the sign-in page's switch too: anyone may choose a language, and a
# signed-in user changes only their own account's (tests/test_language.py).
# The probes (healthz, readyz) answer monitoring without a session and show no data
# (tests/test_health.py); /metrics is for a scraper, not a role: a 404 while METRICS_TOKEN
# is unset, then a 401 without that bearer token (tests/test_metrics.py).
PUBLIC = {
    "auth.login",
    "auth.second_step",
    "language.switch",
    "operations.healthz",
    "operations.readyz",
    "operations.prometheus",
    "static",
    "bootstrap.static",
    "favicon",
}


def _rules() -> list[tuple[str, str]]:
    from config import TestingConfig
    from referrals import create_app

    app = create_app(TestingConfig)
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if rule.endpoint not in PUBLIC and not is_token_route(rule)
    )


RULES = _rules()


def test_every_route_is_listed() -> None:
    missing = sorted({endpoint for endpoint, _ in RULES} - set(EXPECTED))
    assert missing == [], f"add these routes to EXPECTED in {__name__}: {missing}"


@pytest.fixture
def world(app: Flask, make_org, make_user, make_program, make_intake):
    """Two organizations, each with a member, a program, an intake with consent, a referral
    it sent to itself (so it is both the sender and the receiver) and a notification."""

    def build(prefix: str) -> Targets:
        org = make_org(name=f"{prefix} Organization")
        member = make_user(Role.PARTNER, org=org)
        program = make_program(org=org)
        caseworker = make_user(Role.CASEWORKER, org=org)
        intake = make_intake(by=caseworker)
        with app.app_context():
            now = datetime.now(UTC)
            consent = Consent(
                intake_id=intake.id,
                given_at=now,
                expires_at=now + timedelta(days=9),
                recorded_by_id=caseworker.id,
                organizations=[db.session.get(Organization, org.id)],
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
            db.session.add_all([consent, referral])
            db.session.flush()
            notification = Notification(
                recipient_id=member.id, referral_id=referral.id, kind=NotificationKind.NEW_REFERRAL
            )
            db.session.add(notification)
            token = ApiToken(
                organization_id=org.id,
                created_by_id=caseworker.id,
                name="Case system",
                token_hash=prefix.ljust(64, "0"),
                prefix="kcr_test",
                role=Role.PARTNER,
                scope=TokenScope.READ,
                expires_at=now + timedelta(days=30),
            )
            webhook = WebhookEndpoint(
                organization_id=org.id,
                created_by_id=caseworker.id,
                url="https://example.org/hooks",
                secret="whsec_dGVzdA==",
            )
            db.session.add_all([token, webhook])
            db.session.commit()
            return Targets(
                org.id,
                member.id,
                program.id,
                intake.client_code,
                consent.id,
                referral.public_id,
                notification.id,
                token.id,
                webhook.id,
            )

    return build("Own"), build("Other")


@pytest.mark.parametrize(("endpoint", "method"), RULES, ids=[f"{e}-{m}" for e, m in RULES])
def test_access(app, world, make_user, endpoint, method):
    """One route and method, for every role, against the own and another organization."""
    own, other = world
    rule, build_url = EXPECTED[endpoint]
    own_org = _org(app, own.org_id)
    users = {role: make_user(role, org=own_org) for role in Role}
    failures = []
    for same_org in (True, False):
        url = build_url(own if same_org else other)
        for role in ROLES:
            client = app.test_client()
            if role is not None:
                _sign_in(client, users[role])
            response = client.open(url, method=method)
            status = response.status_code
            location = response.headers.get("Location", "")
            where = f"{method} {url} as {role.value if role else 'anonymous'}"
            if role is None:
                if status != 302 or not location.startswith("/login"):
                    failures.append(f"{where}: {status}, wanted a redirect to /login")
                continue
            expected = rule(role, same_org)
            if expected == "ok":
                bounced = location.startswith("/login") and endpoint != "auth.logout"
                if status in (403, 404, 405) or status >= 500 or bounced:
                    failures.append(f"{where}: {status} {location}, wanted access")
            elif status != int(expected):
                failures.append(f"{where}: {status}, wanted {expected}")
    assert failures == []


def _sign_in(client, user) -> None:
    """Sign in through the real form (session protection checks what it stores)."""
    assert login(client, user).status_code == 302


def _org(app: Flask, org_id: int):
    with app.app_context():
        org = db.session.get(Organization, org_id)
        db.session.expunge(org)
        return org
