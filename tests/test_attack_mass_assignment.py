"""Mass assignment: fields a form does not have are ignored, whatever their names.

Every POST route of ``POST_ROUTES`` gets its valid submission plus extra fields named like
model columns (``organization_id``, ``status``, ``role``, ``is_demo``, ``password_hash``, ...)
that point at an unrelated organization and user or carry sentinel values; afterwards no row
the request wrote holds any of them. The tests after that read the stored record of each form
and compare it with what the form legitimately sets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.test import TestResponse

from referrals.auth.models import User
from referrals.enums import Priority, ProgramStatus, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.forms import SendForm
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization, Program
from tests.conftest import PASSWORD
from tests.test_attack_surface import (
    NEW_PASSWORD,
    POST_ROUTES,
    VOLATILE_COLUMNS,
    FormData,
    World,
    build_world,
    changed_rows,
    form_fields,
    referral_version,
    snapshot,
)

SENTINEL_ID = 987654
SENTINEL_NUMBER = 777
SENTINEL_TIME = "2001-02-03T04:05:06+00:00"
SENTINEL_TEXTS = {
    "public_id": "INJECTED-PUBLIC-ID",
    "client_code": "INJECTEDCODE",
    "password_hash": "INJECTED-PASSWORD-HASH",
    "totp_secret": "INJECTEDTOTPSECRETAAAAAAAAAAAAAA",
    "confidential_location": "INJECTED-LOCATION",
    "slug": "injected-slug",
    "email": "injected@evil.example",
    "display_name": "Injected Name",
    "name": "Injected Name For A Record",
    "note": "injected note",
    "method": "injected-method",
    "code_hash": "INJECTED-CODE-HASH",
    "token_hash": "INJECTED-TOKEN-HASH",
    "capacity_unit": "injected-unit",
}
ORG_COLUMNS = ("organization_id", "sending_organization_id", "receiving_organization_id")
USER_COLUMNS = (
    "created_by_id",
    "sent_by_id",
    "recorded_by_id",
    "revoked_by_id",
    "recipient_id",
    "user_id",
    "actor_id",
)
TIME_COLUMNS = (
    "created_at",
    "updated_at",
    "purged_at",
    "closed_at",
    "given_at",
    "expires_at",
    "revoked_at",
    "sent_at",
    "responded_at",
    "accepted_at",
    "enrolled_at",
    "response_due_at",
    "first_viewed_at",
    "read_at",
    "emailed_at",
    "capacity_updated_at",
    "last_login_at",
    "mfa_enrolled_at",
    "locked_until",
    "occurred_at",
)


def extras(world: World) -> FormData:
    """Fields no form has, each pointing somewhere it must not."""
    fields: FormData = {
        name: world.unrelated.id for name in (*ORG_COLUMNS, "actor_organization_id")
    }
    fields |= {name: world.unrelated_user.id for name in USER_COLUMNS}
    fields |= {name: SENTINEL_TIME for name in TIME_COLUMNS}
    fields |= SENTINEL_TEXTS
    fields |= {
        "id": SENTINEL_ID,
        "intake_id": SENTINEL_ID,
        "program_id": SENTINEL_ID,
        "referral_id": SENTINEL_ID,
        "consent_id": SENTINEL_ID,
        "session_version": SENTINEL_NUMBER,
        "version": SENTINEL_NUMBER,
        "totp_last_step": SENTINEL_NUMBER,
        "failed_logins": SENTINEL_NUMBER,
        "sequence": SENTINEL_NUMBER,
        "status": "completed",
        "role": "admin",
        "priority": "emergency",
        "decline_reason": "safety_concern",
        "cancel_reason": "other",
        "outcome": "goal_met",
        "active": "y",
        "is_open": "",
        "is_demo": "y",
        "must_change_password": "",
        "require_mfa": "y",
        "guardian_consent": "y",
        "remember": "y",
        "is_admin": "y",
    }
    return fields


def with_extras(data: FormData, world: World, form: type[FlaskForm]) -> FormData:
    """The valid submission plus every extra the form does not legitimately have."""
    own_fields = set(form_fields(form)) | set(data)
    return {**{k: v for k, v in extras(world).items() if k not in own_fields}, **data}


def _columns(table_name: str) -> list[str]:
    table = db.metadata.tables[table_name]
    return [c.name for c in table.columns if (table_name, c.name) not in VOLATILE_COLUMNS]


def _is_injected(name: str, value: Any, world: World) -> bool:
    """Whether a cell holds one of the values ``extras`` sent."""
    if isinstance(value, bool):
        return name == "is_demo" and value
    if isinstance(value, str):
        return value in SENTINEL_TEXTS.values()
    if isinstance(value, dict | list):
        return any(text in repr(value) for text in SENTINEL_TEXTS.values())
    if isinstance(value, datetime):
        return value.year == 2001
    if isinstance(value, int):
        if value in (SENTINEL_ID, SENTINEL_NUMBER):
            return True
        if name.endswith("organization_id"):
            return value == world.unrelated.id
        return name in USER_COLUMNS and value == world.unrelated_user.id
    return False


def injected_cells(rows: dict[str, list[tuple[Any, ...]]], world: World) -> list[str]:
    """Cells of written rows that hold an injected value."""
    return [
        f"{table}.{name}={value!r}"
        for table, table_rows in rows.items()
        for row in table_rows
        for name, value in zip(_columns(table), row, strict=True)
        if _is_injected(name, value, world)
    ]


@pytest.fixture
def world(app: Flask, make_org: Any, make_user: Any, make_program: Any, make_intake: Any) -> World:
    """The records every POST route acts on."""
    return build_world(app, make_org, make_user, make_program, make_intake)


@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_no_written_row_holds_an_injected_value(app: Flask, world: World, endpoint: str) -> None:
    """Valid data plus every extra field: what the request wrote holds none of the extras."""
    route = POST_ROUTES[endpoint]
    client = route.client(app, world)
    client.get(route.form_page(world))
    url, data = route.url(world), route.data(app, world)
    before = snapshot(app)
    response = client.post(url, data=with_extras(data, world, route.form))
    assert response.status_code < 400, f"POST {url}: {response.status_code}"
    written = changed_rows(before, snapshot(app))
    assert written or route.reached is not None, f"POST {url} wrote nothing"
    assert injected_cells(written, world) == []
    assert "remember_token" not in response.headers.get("Set-Cookie", "")


# Reading records back ----------------------------------------------------------------------


def _record(app: Flask, model: type, **where: Any) -> dict[str, Any]:
    """The columns of the one row matching ``where``, as a dict."""
    with app.app_context():
        row = db.session.execute(sa.select(model).filter_by(**where)).scalar_one()
        values = {c.key: getattr(row, c.key) for c in sa.inspect(model).column_attrs}
        db.session.remove()
    return values


def _post(app: Flask, world: World, endpoint: str, data: FormData) -> TestResponse:
    route = POST_ROUTES[endpoint]
    client = route.client(app, world)
    url = route.url(world)
    return client.post(url, data=with_extras(data, world, route.form))


def _intake_data(app: Flask, world: World) -> FormData:
    return POST_ROUTES["intake.new"].data(app, world)


def test_new_intake_belongs_to_the_author_and_their_organization(app: Flask, world: World) -> None:
    response = _post(app, world, "intake.new", _intake_data(app, world))
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[-1]
    intake = _record(app, Intake, client_code=code)
    caseworker = world.user(Role.CASEWORKER)
    assert intake["organization_id"] == world.own.id
    assert intake["created_by_id"] == caseworker.id
    assert intake["client_code"] != SENTINEL_TEXTS["client_code"]
    assert intake["id"] != SENTINEL_ID
    assert intake["is_open"] is True
    assert intake["purged_at"] is None
    assert intake["closed_at"] is None
    assert intake["urgency"].value == "urgent"
    assert intake["needs"] == ["counseling", "legal_aid"]


def test_edited_intake_keeps_its_owner_code_and_state(app: Flask, world: World) -> None:
    before = _record(app, Intake, client_code=world.client_code)
    response = _post(app, world, "intake.edit", _intake_data(app, world))
    assert response.status_code == 302
    after = _record(app, Intake, client_code=world.client_code)
    for name in ("id", "organization_id", "created_by_id", "client_code", "is_open", "created_at"):
        assert after[name] == before[name], name
    assert after["purged_at"] is None
    assert after["situation_note"] == "Needs a safe place to stay this week."


def test_consent_is_recorded_for_this_intake_by_this_user(app: Flask, world: World) -> None:
    data = POST_ROUTES["intake.consent"].data(app, world) | {"intake_id": world.other_intake_id}
    response = _post(app, world, "intake.consent", data)
    assert response.status_code == 302
    with app.app_context():
        consent = db.session.scalars(sa.select(Consent).order_by(Consent.id.desc())).first()
        assert consent is not None
        assert consent.intake_id == world.intake_id
        assert consent.recorded_by_id == world.user(Role.CASEWORKER).id
        assert consent.revoked_at is None
        assert consent.revoked_by_id is None
        assert consent.method == "written"
        assert consent.guardian_consent is False
        assert sorted(o.id for o in consent.organizations) == sorted([world.own.id, world.other.id])
        assert consent.given_at.year != 2001
        assert consent.expires_at.year != 2001


def test_revoked_consent_names_the_user_who_revoked_it(app: Flask, world: World) -> None:
    response = _post(app, world, "intake.revoke_consent", {})
    assert response.status_code == 302
    consent = _record(app, Consent, id=world.consent_id)
    assert consent["revoked_by_id"] == world.user(Role.CASEWORKER).id
    assert consent["revoked_at"] is not None
    assert consent["revoked_at"].year != 2001
    assert consent["intake_id"] == world.intake_id


def test_draft_referral_is_from_own_organization_to_the_programs(app: Flask, world: World) -> None:
    response = _post(app, world, "intake.draft_referral", {"intake_id": world.other_intake_id})
    assert response.status_code == 302
    public_id = response.headers["Location"].rsplit("/", 1)[-1]
    referral = _record(app, Referral, public_id=public_id)
    assert referral["sending_organization_id"] == world.own.id
    assert referral["receiving_organization_id"] == world.other.id  # the program's own
    assert referral["program_id"] == world.spare_program_id
    assert referral["intake_id"] == world.intake_id
    assert referral["sent_by_id"] == world.user(Role.CASEWORKER).id
    assert referral["status"] is ReferralStatus.DRAFT
    assert referral["sent_at"] is None
    assert referral["response_due_at"] is None


def test_sending_sets_only_the_note_and_priority(app: Flask, world: World) -> None:
    before = _record(app, Referral, public_id=world.draft_id)
    data = {
        "version": referral_version(app, world.draft_id),
        "priority": "urgent",
        "note": "Prefers a Spanish-speaking counselor.",
    }
    route = POST_ROUTES["lifecycle.act:send"]
    client = route.client(app, world)
    response = client.post(route.url(world), data=with_extras(data, world, SendForm))
    assert response.status_code == 302, response.get_data(as_text=True)
    after = _record(app, Referral, public_id=world.draft_id)
    assert after["status"] is ReferralStatus.REQUESTED
    assert after["priority"] is Priority.URGENT
    assert after["note"] == "Prefers a Spanish-speaking counselor."
    for name in (
        "id",
        "public_id",
        "intake_id",
        "program_id",
        "sending_organization_id",
        "receiving_organization_id",
        "sent_by_id",
    ):
        assert after[name] == before[name], name
    assert after["decline_reason"] is None
    assert after["outcome"] is None
    assert after["response_due_at"].year != 2001
    assert after["version"] == before["version"] + 1


def test_accepting_changes_only_the_status_and_its_times(app: Flask, world: World) -> None:
    before = _record(app, Referral, public_id=world.requested_id)
    data = POST_ROUTES["lifecycle.act"].data(app, world)
    response = _post(app, world, "lifecycle.act", data)
    assert response.status_code == 302
    after = _record(app, Referral, public_id=world.requested_id)
    assert after["status"] is ReferralStatus.ACCEPTED
    assert after["decline_reason"] is None
    assert after["outcome"] is None
    assert after["closed_at"] is None
    for name in ("receiving_organization_id", "sending_organization_id", "note", "priority"):
        assert after[name] == before[name], name


def test_declining_records_the_chosen_reason_only(app: Flask, world: World) -> None:
    data = {
        "version": referral_version(app, world.requested_id),
        "reason": "no_capacity",
        "note": "Full until next month.",
        "confirm": "y",
    }
    response = _post(app, world, "lifecycle.act:decline", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    after = _record(app, Referral, public_id=world.requested_id)
    assert after["status"] is ReferralStatus.REJECTED
    assert after["decline_reason"].value == "no_capacity"
    assert after["outcome"] is None
    assert after["cancel_reason"] is None


def test_capacity_form_changes_only_the_capacity(app: Flask, world: World) -> None:
    before = _record(app, Program, id=world.program_id)
    response = _post(app, world, "programs.update_capacity", {"available": "2", "maximum": "9"})
    assert response.status_code == 302
    after = _record(app, Program, id=world.program_id)
    assert (after["capacity_available"], after["capacity_maximum"]) == (2, 9)
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == [
        "capacity_available",
        "capacity_maximum",
        "capacity_updated_at",
        "updated_at",
    ]


def test_new_organization_is_active_and_not_demo(app: Flask, world: World) -> None:
    data = POST_ROUTES["admin.new_organization"].data(app, world)
    response = _post(app, world, "admin.new_organization", data)
    assert response.status_code == 303
    org = _record(app, Organization, slug="fresh-organization")
    assert org["active"] is True
    assert org["is_demo"] is False
    assert org["id"] != SENTINEL_ID
    assert org["created_at"].year != 2001


def test_edited_organization_keeps_state_it_does_not_show(app: Flask, world: World) -> None:
    before = _record(app, Organization, id=world.other.id)
    data = POST_ROUTES["admin.edit_organization"].data(app, world)
    assert _post(app, world, "admin.edit_organization", data).status_code == 303
    after = _record(app, Organization, id=world.other.id)
    for name in ("id", "active", "is_demo", "created_at"):
        assert after[name] == before[name], name
    assert after["name"] == "Fresh Organization"


@pytest.mark.parametrize("endpoint", ["admin.new_program", "admin.edit_program"])
def test_program_form_cannot_set_the_location_by_its_column_name(
    app: Flask, world: World, endpoint: str
) -> None:
    """Only the write-only field sets the confidential location; its column name does not."""
    data = POST_ROUTES[endpoint].data(app, world)
    assert _post(app, world, endpoint, data).status_code == 303
    program = _record(app, Program, organization_id=world.own.id, name="Fresh Program")
    assert program["confidential_location"] == ""
    assert program["id"] != SENTINEL_ID
    assert program["status"] is ProgramStatus.ACTIVE
    assert program["capacity_updated_at"] is None or program["capacity_updated_at"].year != 2001


def test_new_account_gets_a_one_time_password_and_nothing_injected(
    app: Flask, world: World
) -> None:
    data = POST_ROUTES["admin.new_user"].data(app, world)
    response = _post(app, world, "admin.new_user", data)
    assert response.status_code == 200
    user = _record(app, User, email="fresh.person@example.org")
    assert user["role"] is Role.CASEWORKER
    assert user["organization_id"] == world.own.id
    assert user["password_hash"] != SENTINEL_TEXTS["password_hash"]
    assert user["password_hash"].startswith("$argon2id$")
    assert user["totp_secret"] is None
    assert user["mfa_enrolled_at"] is None
    assert user["must_change_password"] is True
    assert user["session_version"] == 1
    assert user["active"] is True
    assert user["is_demo"] is False


def test_edited_account_keeps_its_secrets_and_state(app: Flask, world: World) -> None:
    before = _record(app, User, id=world.staff_member.id)
    data = POST_ROUTES["admin.edit_user"].data(app, world) | {"role": "partner"}
    assert _post(app, world, "admin.edit_user", data).status_code == 303
    after = _record(app, User, id=world.staff_member.id)
    assert after["role"] is Role.PARTNER  # a field of the form
    for name in (
        "password_hash",
        "totp_secret",
        "mfa_enrolled_at",
        "must_change_password",
        "session_version",
        "active",
        "is_demo",
        "created_at",
        "last_login_at",
    ):
        assert after[name] == before[name], name


def test_changing_ones_password_changes_nothing_else(app: Flask, world: World) -> None:
    caseworker = world.user(Role.CASEWORKER)
    before = _record(app, User, id=caseworker.id)
    data = POST_ROUTES["auth.change_password"].data(app, world)
    assert _post(app, world, "auth.change_password", data).status_code == 302
    after = _record(app, User, id=caseworker.id)
    for name in (
        "id",
        "email",
        "display_name",
        "role",
        "organization_id",
        "totp_secret",
        "active",
        "is_demo",
        "created_at",
    ):
        assert after[name] == before[name], name
    assert after["password_hash"] != before["password_hash"]
    assert after["session_version"] not in (before["session_version"], SENTINEL_NUMBER)
    assert NEW_PASSWORD != PASSWORD


def test_sign_in_sets_no_role_or_lasting_cookie(app: Flask, world: World) -> None:
    caseworker = world.user(Role.CASEWORKER)
    before = _record(app, User, id=caseworker.id)
    response = _post(app, world, "auth.login", POST_ROUTES["auth.login"].data(app, world))
    assert response.status_code == 302
    after = _record(app, User, id=caseworker.id)
    for name in ("role", "organization_id", "is_demo", "totp_secret", "session_version"):
        assert after[name] == before[name], name
    cookies = response.headers.getlist("Set-Cookie")
    assert not any("remember_token" in c for c in cookies)
    assert not any("Expires=" in c or "Max-Age=" in c for c in cookies if c.startswith("session="))


def test_enrolment_stores_the_servers_key_not_one_sent_in(app: Flask, world: World) -> None:
    route = POST_ROUTES["auth.enrol_two_step"]
    client = route.client(app, world)
    client.get(route.form_page(world))
    pending = _record(app, User, id=world.user(Role.CASEWORKER).id)["totp_secret"]
    data = with_extras(route.data(app, world), world, route.form)
    response = client.post(route.url(world), data=data)
    assert response.status_code == 200
    after = _record(app, User, id=world.user(Role.CASEWORKER).id)
    assert after["totp_secret"] == pending
    assert after["mfa_enrolled_at"] is not None
    assert after["mfa_enrolled_at"].year != 2001
