"""Recording, viewing, editing and closing anonymized intakes."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.enums import Role
from referrals.extensions import db
from referrals.intake.models import Intake

GOOD = {
    "age_band": "18_24",
    "gender": "female",
    "languages": ["English", "Spanish"],
    "county": "Jackson County, MO",
    "needs": ["short_term_residential", "counseling"],
    "urgency": "urgent",
    "indicators": ["runaway", "older_boyfriend"],
    "situation_note": "Met through street outreach; wants a safe place to stay this week.",
}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Intake))


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
def test_record_intake_assigns_a_random_client_code(app, login_as, role):
    client, user = login_as(role)
    response = client.post("/intakes/new", data=GOOD)
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"KC-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    page = client.get(f"/intakes/{code}").get_data(as_text=True)
    assert code in page
    assert "No active consent" in page
    with app.app_context():
        intake = db.session.scalar(sa.select(Intake))
        assert intake.organization_id == user.organization_id
        assert intake.needs == ["short_term_residential", "counseling"]
        assert intake.indicators == ["runaway", "older_boyfriend"]
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"intake.created", "intake.viewed"} <= actions


@pytest.mark.parametrize(
    ("note", "found"),
    [
        ("Her cell is 816-555-0134, call after six.", "816-555-0134"),
        ("Reach her at survivor.help@example.com when safe.", "survivor.help@example.com"),
        ("Her name is Maria and she is staying with friends.", "Maria"),
    ],
)
def test_note_with_identifier_is_refused_and_nothing_is_written(app, login_as, note, found):
    client, _ = login_as(Role.CASEWORKER)
    response = client.post("/intakes/new", data={**GOOD, "situation_note": note})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert found in body  # the message names what was found
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"needs": []}, "Choose at least one need."),
        ({"languages": []}, "Choose at least one language."),
        ({"age_band": "99_100"}, "Not a valid choice"),
        ({"county": "Atlantis"}, "Not a valid choice"),
        ({"needs": ["teleportation"]}, "not a valid choice"),
        ({"situation_note": "x" * 4001}, "Field cannot be longer than 4000 characters."),
    ],
)
def test_bad_intake_input_gets_a_message_and_no_row(app, login_as, change, message):
    client, _ = login_as(Role.CASEWORKER)
    response = client.post("/intakes/new", data={**GOOD, **change})
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert _count(app) == 0


def test_partner_and_admin_cannot_reach_intakes(app, login_as):
    for role in (Role.PARTNER, Role.ADMIN):
        client, _ = login_as(role)
        assert client.get("/intakes/").status_code == 403
        assert client.post("/intakes/new", data=GOOD).status_code == 403
    assert _count(app) == 0


def test_organization_that_does_not_refer_cannot_record(app, make_org, login_as):
    client, _ = login_as(Role.CASEWORKER, org=make_org(refers=False))
    assert client.get("/intakes/new").status_code == 403


def test_other_organization_gets_404_everywhere(app, make_intake, login_as):
    intake = make_intake()
    client, _ = login_as(Role.CASEWORKER)  # another organization
    code = intake.client_code
    for method, url in [
        ("GET", f"/intakes/{code}"),
        ("GET", f"/intakes/{code}/edit"),
        ("POST", f"/intakes/{code}/edit"),
        ("POST", f"/intakes/{code}/close"),
        ("GET", f"/intakes/{code}/consent"),
        ("POST", f"/intakes/{code}/consent"),
        ("GET", f"/intakes/{code}/matches"),
    ]:
        assert client.open(url, method=method).status_code == 404, (method, url)
    assert code not in client.get("/intakes/").get_data(as_text=True)


def test_edit_close_and_reopen(app, make_user, make_intake, login_as):
    client, user = login_as(Role.CASEWORKER)
    intake = make_intake(by=user)
    code = intake.client_code
    edit = client.get(f"/intakes/{code}/edit").get_data(as_text=True)
    assert 'value="18_24" selected' in edit or 'selected value="18_24"' in edit
    response = client.post(f"/intakes/{code}/edit", data={**GOOD, "urgency": "emergency"})
    assert response.status_code == 302
    client.post(f"/intakes/{code}/close")
    with app.app_context():
        stored = db.session.get(Intake, intake.id)
        assert stored.urgency.value == "emergency"
        assert stored.is_open is False
    assert code in client.get("/intakes/?status=closed").get_data(as_text=True)
    refused = client.post(f"/intakes/{code}/edit", data=GOOD)
    assert "closed" in refused.get_data(as_text=True)
    client.post(f"/intakes/{code}/reopen")
    with app.app_context():
        assert db.session.get(Intake, intake.id).is_open is True


def test_list_pages_by_keyset(app, make_intake, login_as):
    client, user = login_as(Role.CASEWORKER)
    codes = {make_intake(by=user).client_code for _ in range(5)}
    app.config["PAGE_SIZE"] = 2
    try:
        seen: set[str] = set()
        url = "/intakes/"
        for _ in range(5):
            body = client.get(url).get_data(as_text=True)
            seen |= set(re.findall(r"KC-[A-Z0-9]{4}-[A-Z0-9]{4}", body)) & codes
            more = re.search(r'href="(/intakes/\?after=[^"]+)"', body)
            if not more:
                break
            url = more.group(1).replace("&amp;", "&")
    finally:
        app.config["PAGE_SIZE"] = 50
    assert seen == codes


def test_mangled_cursor_starts_from_the_top(app, make_intake, login_as):
    client, user = login_as(Role.CASEWORKER)
    make_intake(by=user)
    assert client.get("/intakes/?after=garbage").status_code == 200


def test_intake_pages_issue_a_fixed_number_of_queries(app, make_org, make_intake, login_as):
    from datetime import UTC, datetime, timedelta

    from referrals.intake.models import Consent
    from referrals.programs.models import Organization

    client, user = login_as(Role.CASEWORKER)
    intake = make_intake(by=user)
    receivers = [make_org(refers=False) for _ in range(4)]

    def add_consents(count: int) -> None:
        now = datetime.now(UTC)
        with app.app_context():
            orgs = [db.session.get(Organization, org.id) for org in receivers]
            for _ in range(count):
                db.session.add(
                    Consent(
                        intake_id=intake.id,
                        given_at=now,
                        expires_at=now + timedelta(days=30),
                        recorded_by_id=user.id,
                        organizations=orgs,
                    )
                )
            db.session.commit()

    def statements(path: str) -> int:
        seen: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    add_consents(1)
    code = intake.client_code
    paths = [f"/intakes/{code}", f"/intakes/{code}/consent", f"/intakes/{code}/matches"]
    for path in paths:
        statements(path)  # warm up
    few = [statements(path) for path in paths]
    add_consents(6)
    assert [statements(path) for path in paths] == few
