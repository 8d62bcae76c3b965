"""The admin area: organizations, programs and staff accounts, for administrators only."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from referrals.admin import common, org_services, program_services, user_services
from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.enums import ProgramStatus, Role
from referrals.extensions import db
from referrals.programs.models import Organization, Program
from tests.conftest import PASSWORD, login

SECRET_LOCATION = "4417 Hidden Harbor Lane"


# --- helpers -----------------------------------------------------------------------------


def count(app: Flask, model: type) -> int:
    """Rows of ``model`` in the database."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def audit_events(app: Flask, action: str) -> list[AuditEvent]:
    """Audit events with this action, oldest first (detached, columns loaded)."""
    with app.app_context():
        events = list(
            db.session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.sequence)
            )
        )
        db.session.expunge_all()
    return events


def load(app: Flask, model: type, **where: Any) -> Any:
    """One row, detached with its columns loaded."""
    with app.app_context():
        row = db.session.scalars(sa.select(model).filter_by(**where)).one()
        db.session.expunge(row)
    return row


def org_data(**overrides: Any) -> dict[str, Any]:
    """A valid organization form, with ``overrides`` (None drops a field)."""
    data = {
        "name": "Safe Haven KC",
        "slug": "safe-haven-kc",
        "description": "Short-term residential care.",
        "phone": "816-555-0100",
        "website": "https://safehaven.example.org",
        "refers": "y",
        "receives": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def program_data(org_id: int, **overrides: Any) -> dict[str, Any]:
    """A valid program form, with ``overrides`` (None drops a field)."""
    data = {
        "organization_id": str(org_id),
        "name": "Thirty-day care",
        "description": "Housing, therapy and ID replacement for 30 days.",
        "service_types": ["short_term_residential", "counseling"],
        "min_age": "18",
        "max_age": "24",
        "genders_served": ["female", "transgender_female"],
        "languages": ["English", "Spanish"],
        "counties_served": ["Jackson County, MO", "Wyandotte County, KS"],
        "eligibility_description": "Adults who left a trafficking situation.",
        "capacity_available": "2",
        "capacity_maximum": "8",
        "capacity_unit": "bed",
        "waitlist_accepted": "y",
        "length_of_stay_days": "30",
        "response_time_hours": "24",
        "application_process": "Call the intake line.",
        "required_documents": "None required.",
        "status": "active",
        "new_confidential_location": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def user_data(org_id: int, **overrides: Any) -> dict[str, Any]:
    """A valid account form, with ``overrides``."""
    data = {
        "email": "New.Caseworker@Example.org",
        "display_name": "New Caseworker",
        "role": "caseworker",
        "organization_id": str(org_id),
    }
    data.update(overrides)
    return data


def one_time_password(html: str) -> str:
    match = re.search(r'data-testid="one-time-password">([^<]+)<', html)
    assert match, "no one-time password on the page"
    return match.group(1)


# --- who may come in -----------------------------------------------------------------------


def admin_urls(app: Flask, org: Organization, program: Program, user: User) -> list[tuple]:
    """(method, url) for every admin route, with real ids filled in."""
    ids = {"org_id": org.id, "program_id": program.id, "user_id": user.id}
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        url = rule.rule
        for name, value in ids.items():
            url = url.replace(f"<int:{name}>", str(value))
        assert "<" not in url, f"unfilled converter in {rule.rule}"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


def test_every_admin_route_exists(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    expected = {
        f"admin.{name}"
        for name in [
            "index",
            "organizations",
            "programs",
            "users",
            "new_organization",
            "edit_organization",
            "deactivate_organization",
            "activate_organization",
            "new_program",
            "edit_program",
            "deactivate_program",
            "activate_program",
            "new_user",
            "edit_user",
            "deactivate_user",
            "activate_user",
            "reset_password",
        ]
    }
    assert expected <= endpoints


def _org(app: Flask, program: Program) -> Organization:
    return load(app, Organization, id=program.organization_id)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER, Role.SUPERVISOR])
def test_other_roles_get_403_everywhere_and_nothing_changes(app, login_as, make_program, role):
    client, user = login_as(role)
    program = make_program()
    org = _org(app, program)
    for method, url in admin_urls(app, org, program, user):
        response = client.open(url, method=method, data={"name": "x"})
        assert response.status_code == 403, f"{role} {method} {url}"
    assert load(app, Organization, id=org.id).active
    assert load(app, Program, id=program.id).status == ProgramStatus.ACTIVE
    assert load(app, User, id=user.id).active
    assert count(app, AuditEvent) == 1  # the sign-in only


def test_anonymous_visitors_are_sent_to_login(app, client, make_program, make_user):
    program = make_program()
    user = make_user(Role.PARTNER)
    for method, url in admin_urls(app, _org(app, program), program, user):
        response = client.open(url, method=method)
        assert response.status_code == 302, f"{method} {url}"
        assert response.headers["Location"].startswith("/login"), url


def test_admin_reaches_every_list_and_form(login_as, make_program, make_user):
    client, _admin = login_as(Role.ADMIN)
    program = make_program()
    user = make_user(Role.PARTNER)
    for url in (
        "/admin/",
        "/admin/organizations/",
        "/admin/organizations/new",
        f"/admin/organizations/{program.organization_id}/edit",
        "/admin/programs/",
        "/admin/programs/new",
        f"/admin/programs/{program.id}/edit",
        "/admin/users/",
        "/admin/users/new",
        f"/admin/users/{user.id}/edit",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert program.name in client.get("/admin/programs/").get_data(as_text=True)
    assert user.email in client.get("/admin/users/").get_data(as_text=True)
    assert client.get("/admin/programs/999999/edit").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_state_changes_need_post_and_a_csrf_token(app, login_as, make_user):
    client, _admin = login_as(Role.ADMIN)
    target = make_user(Role.PARTNER)
    assert client.get(f"/admin/users/{target.id}/deactivate").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/admin/users/{target.id}/deactivate")
    assert response.status_code == 400
    response = client.post("/admin/organizations/new", data=org_data())
    assert response.status_code == 400
    assert load(app, User, id=target.id).active
    assert count(app, Organization) == 2  # the two accounts' organizations only


# --- organizations -------------------------------------------------------------------------


def test_create_organization(app, login_as):
    client, admin = login_as(Role.ADMIN)
    response = client.post("/admin/organizations/new", data=org_data())
    assert response.status_code == 303
    org = load(app, Organization, slug="safe-haven-kc")
    assert (org.name, org.phone, org.website) == (
        "Safe Haven KC",
        "816-555-0100",
        "https://safehaven.example.org",
    )
    assert (org.refers, org.receives, org.active, org.require_mfa) == (True, True, True, False)
    listing = client.get("/admin/organizations/").get_data(as_text=True)
    assert "Safe Haven KC" in listing
    [event] = audit_events(app, "admin.organization.created")
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.id,
        "organization",
        str(org.id),
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "taken-slug"}, "Another organization already uses this short name."),
        ({"name": "TAKEN NAME"}, "Another organization already has this name."),
        ({"slug": "Not A Slug"}, "Use lower-case letters"),
        ({"website": "javascript://example.org/%0Aalert(1)"}, "starting with https://"),
        ({"name": ""}, "This field is required."),
    ],
)
def test_refused_organization_writes_no_row(app, login_as, make_org, overrides, message):
    client, _admin = login_as(Role.ADMIN)
    make_org(name="Taken Name", slug="taken-slug")
    before = count(app, Organization)
    response = client.post("/admin/organizations/new", data=org_data(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Organization) == before
    assert audit_events(app, "admin.organization.created") == []


def test_service_refuses_non_web_links(app, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        by = db.session.get(User, admin.id)
        for website in ("javascript:alert(1)", "data:text/html,x", "https://"):
            with pytest.raises(common.AdminInputError) as refused:
                org_services.create_organization(by=by, name="X", slug="x", website=website)
            assert refused.value.field == "website"
            db.session.rollback()
    assert count(app, Organization) == 1


def test_edit_organization(app, login_as, make_org):
    client, _admin = login_as(Role.ADMIN)
    org = make_org(name="Old Name", slug="old-name")
    page = client.get(f"/admin/organizations/{org.id}/edit").get_data(as_text=True)
    assert 'value="old-name"' in page
    data = org_data(name="New Name", slug="new-name", require_mfa="y", receives=None)
    response = client.post(f"/admin/organizations/{org.id}/edit", data=data)
    assert response.status_code == 303
    changed = load(app, Organization, id=org.id)
    assert (changed.name, changed.slug, changed.require_mfa, changed.receives) == (
        "New Name",
        "new-name",
        True,
        False,
    )
    [event] = audit_events(app, "admin.organization.updated")
    assert {"name", "slug", "require_mfa", "receives"} <= set(event.detail["fields"])


def test_edit_organization_to_a_taken_slug_is_refused(app, login_as, make_org):
    client, _admin = login_as(Role.ADMIN)
    make_org(slug="taken")
    org = make_org(name="Mine", slug="mine")
    response = client.post(
        f"/admin/organizations/{org.id}/edit", data=org_data(name="Mine", slug="taken")
    )
    assert response.status_code == 400
    assert "already uses this short name" in response.get_data(as_text=True)
    assert load(app, Organization, id=org.id).slug == "mine"


def test_deactivate_and_reactivate_organization(app, login_as, make_org, make_user):
    client, _admin = login_as(Role.ADMIN)
    org = make_org()
    member = make_user(Role.PARTNER, org=org)
    response = client.post(f"/admin/organizations/{org.id}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    assert "was deactivated" in response.get_data(as_text=True)
    assert not load(app, Organization, id=org.id).active
    assert login(app.test_client(), member).status_code == 200  # refused: form shown again
    client.post(f"/admin/organizations/{org.id}/activate")
    assert load(app, Organization, id=org.id).active
    assert login(app.test_client(), member).status_code == 302
    assert len(audit_events(app, "admin.organization.deactivated")) == 1
    assert len(audit_events(app, "admin.organization.activated")) == 1


def test_admin_cannot_deactivate_own_organization(app, login_as):
    client, admin = login_as(Role.ADMIN)
    response = client.post(
        f"/admin/organizations/{admin.organization_id}/deactivate", follow_redirects=True
    )
    assert "You cannot deactivate your own organization." in response.get_data(as_text=True)
    assert load(app, Organization, id=admin.organization_id).active
    assert audit_events(app, "admin.organization.deactivated") == []


def test_a_lost_race_on_the_unique_slug_is_a_message_not_a_500(
    app, login_as, make_org, monkeypatch
):
    client, _admin = login_as(Role.ADMIN)
    make_org(name="First", slug="same-slug")
    # As if another request inserted the slug between our check and our insert.
    monkeypatch.setattr(org_services, "is_taken", lambda *args, **kwargs: False)
    before = count(app, Organization)
    response = client.post("/admin/organizations/new", data=org_data(slug="same-slug"))
    assert response.status_code == 400
    assert "already uses this name or short name" in response.get_data(as_text=True)
    assert count(app, Organization) == before


# --- programs ------------------------------------------------------------------------------


def test_create_program_with_every_field(app, login_as, make_org):
    client, _admin = login_as(Role.ADMIN)
    org = make_org()
    data = program_data(org.id, new_confidential_location=SECRET_LOCATION)
    response = client.post("/admin/programs/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    program = load(app, Program, name="Thirty-day care")
    assert program.organization_id == org.id
    assert program.service_types == ["short_term_residential", "counseling"]
    assert (program.min_age, program.max_age) == (18, 24)
    assert program.genders_served == ["female", "transgender_female"]
    assert program.languages == ["English", "Spanish"]
    assert program.counties_served == ["Jackson County, MO", "Wyandotte County, KS"]
    assert (program.capacity_available, program.capacity_maximum) == (2, 8)
    assert program.capacity_unit == "bed"
    assert program.capacity_updated_at is not None
    assert program.waitlist_accepted
    assert (program.length_of_stay_days, program.response_time_hours) == (30, 24)
    assert program.application_process == "Call the intake line."
    assert program.required_documents == "None required."
    assert program.status == ProgramStatus.ACTIVE
    assert program.confidential_location == SECRET_LOCATION
    [event] = audit_events(app, "admin.program.created")
    assert event.object_id == str(program.id)
    assert SECRET_LOCATION not in str(event.detail)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"min_age": "18", "max_age": "12"}, "The maximum age cannot be below the minimum age."),
        (
            {"capacity_available": "9", "capacity_maximum": "8"},
            "Open places cannot exceed the maximum number of places.",
        ),
        ({"capacity_available": "-1"}, "Give a number from 0 to 100000"),
        ({"capacity_maximum": "lots"}, "Not a valid integer value."),
        ({"response_time_hours": "721"}, "Give a response time between 1 and 720 hours."),
        ({"service_types": None}, "Choose at least one service type."),
        ({"name": "Existing program"}, "already has a program with this name"),
        ({"name": "EXISTING PROGRAM"}, "already has a program with this name"),
    ],
)
def test_refused_program_writes_no_row(app, login_as, make_program, overrides, message):
    client, _admin = login_as(Role.ADMIN)
    existing = make_program(name="Existing program")
    before = count(app, Program)
    response = client.post(
        "/admin/programs/new", data=program_data(existing.organization_id, **overrides)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Program) == before
    assert audit_events(app, "admin.program.created") == []


def test_the_same_program_name_is_fine_in_another_organization(
    app, login_as, make_program, make_org
):
    client, _admin = login_as(Role.ADMIN)
    make_program(name="Counseling")
    other = make_org()
    response = client.post("/admin/programs/new", data=program_data(other.id, name="Counseling"))
    assert response.status_code == 303
    assert count(app, Program) == 2


def test_service_refuses_bad_numbers_without_the_form(app, make_org, make_user):
    admin = make_user(Role.ADMIN)
    org = make_org()
    with app.app_context():
        by = db.session.get(User, admin.id)
        for fields, field in (
            ({"capacity_available": -1}, "capacity_available"),
            ({"min_age": 20, "max_age": 10}, "max_age"),
            ({"response_time_hours": 0}, "response_time_hours"),
            ({"service_types": ["not_a_service"]}, "service_types"),
        ):
            base = {"service_types": ["counseling"]} | fields
            with pytest.raises(common.AdminInputError) as refused:
                program_services.create_program(by=by, organization_id=org.id, name="P", **base)
            assert refused.value.field == field
            db.session.rollback()
    assert count(app, Program) == 0


def test_edit_program_and_capacity_time_stamp(app, login_as, make_program):
    client, _admin = login_as(Role.ADMIN)
    program = make_program(capacity_available=3, capacity_maximum=10)
    assert load(app, Program, id=program.id).capacity_updated_at is None
    data = program_data(program.organization_id, name=program.name, capacity_available="3")
    data["capacity_maximum"] = "10"
    response = client.post(f"/admin/programs/{program.id}/edit", data=data)
    assert response.status_code == 303
    unchanged_capacity = load(app, Program, id=program.id)
    assert unchanged_capacity.capacity_updated_at is None
    assert unchanged_capacity.languages == ["English", "Spanish"]

    data.update(capacity_available="1", status="temporarily_closed", name="Renamed")
    response = client.post(f"/admin/programs/{program.id}/edit", data=data)
    assert response.status_code == 303
    changed = load(app, Program, id=program.id)
    assert changed.capacity_available == 1
    assert changed.capacity_updated_at is not None
    assert changed.status == ProgramStatus.TEMPORARILY_CLOSED
    assert changed.name == "Renamed"
    first, second = audit_events(app, "admin.program.updated")
    assert "capacity_available" not in first.detail["fields"]
    assert {"capacity_available", "name", "status"} <= set(second.detail["fields"])


def test_invalid_program_edit_changes_nothing(app, login_as, make_program):
    client, _admin = login_as(Role.ADMIN)
    program = make_program(min_age=12, max_age=17)
    data = program_data(program.organization_id, name="Renamed", min_age="17", max_age="12")
    response = client.post(f"/admin/programs/{program.id}/edit", data=data)
    assert response.status_code == 400
    assert "The maximum age cannot be below the minimum age." in response.get_data(as_text=True)
    unchanged = load(app, Program, id=program.id)
    assert (unchanged.name, unchanged.min_age, unchanged.max_age) == (program.name, 12, 17)
    assert audit_events(app, "admin.program.updated") == []


def test_confidential_location_is_stored_but_never_displayed(app, login_as, make_org):
    client, _admin = login_as(Role.ADMIN)
    org = make_org()
    data = program_data(org.id, new_confidential_location=SECRET_LOCATION)
    client.post("/admin/programs/new", data=data)
    program = load(app, Program, name="Thirty-day care")
    edit_url = f"/admin/programs/{program.id}/edit"
    pages = {
        url: client.get(url).get_data(as_text=True)
        for url in ("/admin/", "/admin/programs/", "/admin/organizations/", edit_url)
    }
    # A refused edit that carried a new location must not echo it back either.
    refused = client.post(
        edit_url,
        data=program_data(
            org.id, min_age="30", max_age="20", new_confidential_location="99 Other Street"
        ),
    )
    assert refused.status_code == 400
    pages["refused edit"] = refused.get_data(as_text=True)
    for where, html in pages.items():
        assert "Hidden Harbor" not in html, where
        assert "Other Street" not in html, where
    assert 'data-testid="location-stored"' in pages[edit_url]

    # Saving with the field blank keeps the stored value.
    client.post(edit_url, data=program_data(org.id, description="Changed"))
    assert load(app, Program, id=program.id).confidential_location == SECRET_LOCATION
    # A new value replaces it; the audit trail names the field, never the value.
    client.post(edit_url, data=program_data(org.id, new_confidential_location="12 New Road"))
    assert load(app, Program, id=program.id).confidential_location == "12 New Road"
    events = audit_events(app, "admin.program.updated")
    assert "confidential_location" in events[-1].detail["fields"]
    assert all("New Road" not in str(event.detail) for event in events)
    # And it can be removed.
    client.post(edit_url, data=program_data(org.id, clear_confidential_location="y"))
    assert load(app, Program, id=program.id).confidential_location == ""
    assert 'data-testid="location-stored"' not in client.get(edit_url).get_data(as_text=True)


def test_deactivate_and_reactivate_program(app, login_as, make_program):
    client, _admin = login_as(Role.ADMIN)
    program = make_program()
    response = client.post(f"/admin/programs/{program.id}/deactivate")
    assert response.status_code == 303
    assert load(app, Program, id=program.id).status == ProgramStatus.INACTIVE
    client.post(f"/admin/programs/{program.id}/activate")
    assert load(app, Program, id=program.id).status == ProgramStatus.ACTIVE
    assert count(app, Program) == 1
    [off] = audit_events(app, "admin.program.deactivated")
    assert off.detail == {"from": "active", "to": "inactive"}
    assert len(audit_events(app, "admin.program.activated")) == 1


# --- staff accounts ------------------------------------------------------------------------


def test_create_user_shows_a_one_time_password_once(app, login_as, make_org):
    client, admin = login_as(Role.ADMIN)
    org = make_org()
    response = client.post("/admin/users/new", data=user_data(org.id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    password = one_time_password(html)
    assert len(password) >= 20
    with client.session_transaction() as session:
        assert password not in str(dict(session))  # not flashed, not in the cookie
    user = load(app, User, email="new.caseworker@example.org")
    assert (user.role, user.organization_id, user.active) == (Role.CASEWORKER, org.id, True)
    assert user.must_change_password
    assert password not in user.password_hash
    assert password not in client.get("/admin/users/").get_data(as_text=True)
    [event] = audit_events(app, "admin.user.created")
    assert (event.actor_id, event.object_id) == (admin.id, str(user.id))
    assert event.detail == {"role": "caseworker", "organization_id": org.id}

    newcomer = app.test_client()
    first = login(newcomer, user, password=password)
    assert first.status_code == 302
    assert first.headers["Location"] == "/account/password"
    assert newcomer.get("/").headers["Location"] == "/account/password"


@pytest.mark.parametrize("email", ["taken@example.org", "TAKEN@Example.ORG", " taken@example.org "])
def test_duplicate_email_is_refused_whatever_its_case(app, login_as, make_user, email):
    client, _admin = login_as(Role.ADMIN)
    existing = make_user(Role.PARTNER, email="taken@example.org")
    before = count(app, User)
    response = client.post(
        "/admin/users/new", data=user_data(existing.organization_id, email=email)
    )
    assert response.status_code == 400
    assert "Another account already uses this e-mail address." in response.get_data(as_text=True)
    assert count(app, User) == before


def test_a_lost_race_on_the_unique_email_is_a_message(app, login_as, make_user, monkeypatch):
    client, _admin = login_as(Role.ADMIN)
    existing = make_user(Role.PARTNER, email="race@example.org")
    monkeypatch.setattr(user_services, "is_taken", lambda *args, **kwargs: False)
    before = count(app, User)
    response = client.post(
        "/admin/users/new", data=user_data(existing.organization_id, email="race@example.org")
    )
    assert response.status_code == 400
    assert "Another account already uses this e-mail address." in response.get_data(as_text=True)
    assert count(app, User) == before


def test_a_new_account_needs_an_active_organization(app, login_as, make_org):
    client, _admin = login_as(Role.ADMIN)
    closed = make_org(active=False)
    new_page = client.get("/admin/users/new").get_data(as_text=True)
    assert closed.name not in new_page
    response = client.post("/admin/users/new", data=user_data(closed.id))
    assert response.status_code == 400
    assert count(app, User) == 1


def test_edit_user(app, login_as, make_user, make_org):
    client, _admin = login_as(Role.ADMIN)
    user = make_user(Role.CASEWORKER)
    other = make_org()
    data = user_data(other.id, email="Renamed@Example.org", role="supervisor", display_name="Sam")
    response = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert response.status_code == 303
    changed = load(app, User, id=user.id)
    assert (changed.email, changed.role, changed.organization_id, changed.display_name) == (
        "renamed@example.org",
        Role.SUPERVISOR,
        other.id,
        "Sam",
    )
    [event] = audit_events(app, "admin.user.updated")
    assert set(event.detail["fields"]) == {"display_name", "email", "organization_id", "role"}


def test_admin_cannot_change_own_role(app, login_as):
    client, admin = login_as(Role.ADMIN)
    data = user_data(admin.organization_id, email=admin.email, role="caseworker")
    response = client.post(f"/admin/users/{admin.id}/edit", data=data)
    assert response.status_code == 400
    assert "You cannot change your own role" in response.get_data(as_text=True)
    assert load(app, User, id=admin.id).role == Role.ADMIN


def test_deactivate_user_ends_their_sessions(app, login_as):
    client, _admin = login_as(Role.ADMIN)
    partner_client, partner = login_as(Role.PARTNER)
    assert partner_client.get("/").status_code == 200
    response = client.post(f"/admin/users/{partner.id}/deactivate")
    assert response.status_code == 303
    after = load(app, User, id=partner.id)
    assert not after.active
    assert after.session_version == partner.session_version + 1
    assert partner_client.get("/").headers["Location"].startswith("/login")
    assert login(app.test_client(), partner).status_code == 200  # refused
    assert len(audit_events(app, "admin.user.deactivated")) == 1

    client.post(f"/admin/users/{partner.id}/activate")
    assert load(app, User, id=partner.id).active
    assert login(app.test_client(), partner).status_code == 302
    assert len(audit_events(app, "admin.user.activated")) == 1
    assert count(app, User) == 2


def test_admin_cannot_deactivate_themselves(app, login_as):
    client, admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    assert load(app, User, id=admin.id).active
    assert client.get("/admin/").status_code == 200  # still signed in
    assert audit_events(app, "admin.user.deactivated") == []


def test_reset_password(app, login_as):
    client, _admin = login_as(Role.ADMIN)
    partner_client, partner = login_as(Role.PARTNER)
    response = client.post(f"/admin/users/{partner.id}/reset-password")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = one_time_password(response.get_data(as_text=True))
    assert partner_client.get("/").headers["Location"].startswith("/login")  # session ended
    assert login(app.test_client(), partner).status_code == 200  # old password refused
    fresh = app.test_client()
    first = login(fresh, partner, password=password)
    assert first.headers["Location"] == "/account/password"
    assert load(app, User, id=partner.id).must_change_password
    [event] = audit_events(app, "admin.user.password_reset")
    assert event.object_id == str(partner.id)
    assert password not in str(event.detail)


def test_admin_cannot_reset_own_password_here(app, login_as):
    client, admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/reset-password", follow_redirects=True)
    assert "Change your own password on the Password page instead." in response.get_data(
        as_text=True
    )
    assert not load(app, User, id=admin.id).must_change_password
    assert login(app.test_client(), admin, password=PASSWORD).status_code == 302


# --- list queries ----------------------------------------------------------------------------


def statements_for(app: Flask, client: Any, url: str) -> int:
    """How many SQL statements one GET of ``url`` runs."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    return len(seen)


@pytest.mark.parametrize("url", ["/admin/organizations/", "/admin/programs/", "/admin/users/"])
def test_list_pages_do_not_query_once_per_row(app, login_as, make_program, make_user, url):
    client, _admin = login_as(Role.ADMIN)
    make_program()
    make_user(Role.PARTNER)
    client.get(url)  # warm up: the demo-banner check runs once a minute, not per page
    few = statements_for(app, client, url)
    for _ in range(4):
        make_program()
        make_user(Role.CASEWORKER)
    assert statements_for(app, client, url) == few


def test_saving_a_program_unchanged_keeps_its_counties(app, login_as, make_program):
    """County names hold a comma: they must come back exactly as stored, or matching breaks."""
    program = make_program(counties_served=["Jackson County, MO", "Clay County, MO"])
    client, _admin = login_as(Role.ADMIN)
    form = client.get(f"/admin/programs/{program.id}/edit").get_data(as_text=True)
    checked = re.findall(r'<input checked[^>]* value="([^"]+)"', form)
    assert checked[-2:] == ["Jackson County, MO", "Clay County, MO"]
    data = program_data(program.organization_id, name=program.name)
    data["counties_served"] = ["Jackson County, MO", "Clay County, MO"]
    response = client.post(f"/admin/programs/{program.id}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert load(app, Program, name=program.name).counties_served == [
        "Jackson County, MO",
        "Clay County, MO",
    ]


def test_a_county_outside_the_list_is_refused(app, login_as, make_org):
    org = make_org()
    client, _admin = login_as(Role.ADMIN)
    data = program_data(org.id)
    data["counties_served"] = ["Jackson"]
    response = client.post("/admin/programs/new", data=data)
    assert response.status_code == 400
    assert "valid choice" in response.get_data(as_text=True)
    assert count(app, Program) == 0


def test_program_languages_come_from_the_intake_list(app, login_as, make_org):
    """A language typed by hand could never match an intake: only the list's are accepted."""
    client, _admin = login_as(Role.ADMIN)
    org = make_org()
    response = client.post(
        "/admin/programs/new", data=program_data(org.id, languages=["English", "Englsh"])
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(Program).filter_by(name="Thirty-day care")) is None
