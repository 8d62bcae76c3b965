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

from referrals.enums import Role
from referrals.extensions import db
from referrals.intake.models import Consent
from tests.conftest import login

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


@dataclass
class Targets:
    """Ids of one organization's records, used to fill in URLs."""

    org_id: int
    user_id: int
    program_id: int
    client_code: str
    consent_id: int


# endpoint -> (rule for GET/POST, URL builder)
EXPECTED: dict[str, tuple[Callable[[Role, bool], str], Callable[[Targets], str]]] = {
    "dashboard.home": (everyone, lambda t: "/"),
    "auth.change_password": (everyone, lambda t: "/account/password"),
    "auth.logout": (everyone, lambda t: "/logout"),
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
    "intake.draft_referral": (
        intake_record,
        lambda t: f"/intakes/{t.client_code}/matches/{t.program_id}/draft",
    ),
    "programs.index": (everyone, lambda t: "/programs/"),
    "programs.detail": (everyone, lambda t: f"/programs/{t.program_id}"),
    "programs.update_capacity": (program_capacity, lambda t: f"/programs/{t.program_id}/capacity"),
}
# Public by design: checked in tests/test_access.py.
PUBLIC = {"auth.login", "dashboard.healthz", "static", "bootstrap.static"}


def _rules() -> list[tuple[str, str]]:
    from config import TestingConfig
    from referrals import create_app

    app = create_app(TestingConfig)
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if rule.endpoint not in PUBLIC
    )


RULES = _rules()


def test_every_route_is_listed() -> None:
    missing = sorted({endpoint for endpoint, _ in RULES} - set(EXPECTED))
    assert missing == [], f"add these routes to EXPECTED in {__name__}: {missing}"


@pytest.fixture
def world(app: Flask, make_org, make_user, make_program, make_intake):
    """Two organizations, each with a user, a program, an intake and a consent."""

    def build(prefix: str) -> Targets:
        org = make_org(name=f"{prefix} Organization")
        member = make_user(Role.PARTNER, org=org)
        program = make_program(org=org)
        intake = make_intake(by=make_user(Role.CASEWORKER, org=org))
        with app.app_context():
            now = datetime.now(UTC)
            consent = Consent(
                intake_id=intake.id,
                given_at=now,
                expires_at=now + timedelta(days=9),
                recorded_by_id=intake.created_by_id,
            )
            db.session.add(consent)
            db.session.commit()
            consent_id = consent.id
        return Targets(org.id, member.id, program.id, intake.client_code, consent_id)

    own, other = build("Own"), build("Other")
    return own, other


@pytest.mark.parametrize("same_org", [True, False], ids=["own-org", "other-org"])
@pytest.mark.parametrize("role", ROLES, ids=[r.value if r else "anonymous" for r in ROLES])
@pytest.mark.parametrize(("endpoint", "method"), RULES, ids=[f"{e}-{m}" for e, m in RULES])
def test_access(app, world, make_user, endpoint, method, role, same_org):
    own, other = world
    rule, build_url = EXPECTED[endpoint]
    url = build_url(own if same_org else other)
    client = app.test_client()
    if role is not None:
        user = make_user(role, org=_org(app, own.org_id))
        assert login(client, user).status_code == 302
    response = client.open(url, method=method)
    if role is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        return
    expected = rule(role, same_org)
    status = response.status_code
    if expected == "ok":
        assert status not in (403, 404, 405, 500), f"{method} {url} as {role}: {status}"
        if endpoint != "auth.logout":
            assert not response.headers.get("Location", "").startswith("/login"), status
    else:
        assert status == int(expected), f"{method} {url} as {role}: {status}, wanted {expected}"


def _org(app: Flask, org_id: int):
    from referrals.programs.models import Organization

    with app.app_context():
        org = db.session.get(Organization, org_id)
        db.session.expunge(org)
        return org
