"""Open Referral HSDS 3.0: the directory served, exported and imported.

Validated against the copy of the HSDS 3.0 schemas in referrals/hsds/schema/ (CC BY-SA 4.0,
Open Referral; see its README.md): the tests and the app read the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.demo import seed_demo_data
from referrals.enums import Role
from referrals.extensions import db
from referrals.hsds.validation import errors
from referrals.programs.models import Organization, Program
from tests.api_support import bearer, make_token
from tests.conftest import empty_tables

SAFE_HOUSE = "1400 Quiet Street, Kansas City"


@pytest.fixture
def seeded(app):
    """The demo coalition, one program with a confidential location, and a read token."""
    with app.app_context():
        seed_demo_data()
        program = db.session.scalars(sa.select(Program).order_by(Program.id)).first()
        program.confidential_location = SAFE_HOUSE
        db.session.commit()
        org = db.session.get(Organization, program.organization_id)
        supervisor = make_supervisor(org)
        db.session.refresh(org)
        db.session.expunge(org)
    return make_token(app, org, supervisor, role=Role.PARTNER)


def make_supervisor(org: Organization) -> int:
    from referrals.auth.models import User

    user = User(
        email="hsds.supervisor@example.org",
        display_name="HSDS Supervisor",
        role=Role.SUPERVISOR,
        organization_id=org.id,
        password_hash="x",
    )
    db.session.add(user)
    db.session.commit()
    return user.id


def test_every_demo_program_is_a_valid_hsds_service(app, seeded):
    client = app.test_client()
    with app.app_context():
        ids = db.session.scalars(sa.select(Program.hsds_id)).all()
    assert len(ids) >= 8
    for hsds_id in ids:
        response = client.get(f"/hsds/services/{hsds_id}", headers=bearer(seeded))
        assert response.status_code == 200
        service = response.get_json()
        assert list(errors("service", service)) == []
        assert service["organization"]["name"]
        assert service["attributes"], "service types go out as attributes"
        assert SAFE_HOUSE not in response.get_data(as_text=True)


def test_lists_are_hsds_pages_without_confidential_locations(app, seeded):
    client = app.test_client()
    headers = bearer(seeded)
    first = client.get("/hsds/services?per_page=3", headers=headers).get_json()
    assert (first["page_number"], first["size"], first["first_page"]) == (1, 3, True)
    assert first["total_pages"] == -(-first["total_items"] // 3)
    for item in first["contents"]:
        assert list(errors("service", item)) == []
    last = client.get(
        f"/hsds/services?per_page=3&page={first['total_pages']}", headers=headers
    ).get_json()
    assert last["last_page"] is True
    everything = client.get("/hsds/services?per_page=100", headers=headers)
    organizations = client.get("/hsds/organizations", headers=headers)
    for item in organizations.get_json()["contents"]:
        assert list(errors("organization", item)) == []
    for response in (everything, organizations):
        assert SAFE_HOUSE not in response.get_data(as_text=True)
    assert client.get("/hsds/services?page=0", headers=headers).status_code == 400
    assert client.get("/hsds/services/not-an-id", headers=headers).status_code == 404
    assert client.get("/hsds/services").status_code == 401


def _export(app, path: Path) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["directory", "export", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


def _import(app, path: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["directory", "import", str(path), *extra])


def test_an_export_imported_into_an_empty_database_reproduces_it(app, seeded, tmp_path):
    exported = _export(app, tmp_path / "directory.json")
    assert SAFE_HOUSE not in (tmp_path / "directory.json").read_text()
    assert all(list(errors("service", item)) == [] for item in exported)
    empty_tables(app)
    dry = _import(app, tmp_path / "directory.json", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "+ service" in dry.output
    assert "nothing was saved" in dry.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0
    done = _import(app, tmp_path / "directory.json")
    assert done.exit_code == 0, done.output
    assert _export(app, tmp_path / "again.json") == exported
    again = _import(app, tmp_path / "directory.json")
    assert "0 created, 0 updated" in again.output  # idempotent by HSDS id


def test_a_changed_record_updates_in_place_and_the_dry_run_shows_the_diff(app, seeded, tmp_path):
    exported = _export(app, tmp_path / "directory.json")
    exported[0]["description"] = "New words for the directory."
    (tmp_path / "changed.json").write_text(json.dumps(exported))
    dry = _import(app, tmp_path / "changed.json", "--dry-run")
    assert f"~ service {exported[0]['id']}" in dry.output
    assert "New words for the directory." in dry.output
    with app.app_context():
        before = db.session.scalar(
            sa.select(Program.description).where(Program.hsds_id == exported[0]["id"])
        )
    assert before != "New words for the directory."
    assert "0 created, 1 updated" in _import(app, tmp_path / "changed.json").output


def test_a_file_with_errors_imports_nothing_and_names_each_one(app, seeded, tmp_path):
    exported = _export(app, tmp_path / "directory.json")
    with app.app_context():
        before = db.session.execute(sa.select(Program.hsds_id, Program.name)).all()
        audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    fresh = dict(exported[0], id="0d5f7a57-7c41-4e37-9d0a-6c1f3bd1a001", name="A new one")
    broken = [
        fresh,
        dict(exported[1], status="sleeping"),
        dict(exported[2], id="not-a-uuid"),
        {key: value for key, value in exported[3].items() if key != "name"},
        dict(exported[4], minimum_age=30, maximum_age=20),
    ]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    result = _import(app, tmp_path / "broken.json")
    assert result.exit_code != 0
    for path in ("$[1].status", "$[2].id", "$[3]: 'name' is a required", "$[4].maximum_age"):
        assert path in result.output, result.output
    assert "$[0]" not in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(Program.hsds_id, Program.name)).all() == before
        count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        assert count == audit_before
    not_a_list = tmp_path / "object.json"
    not_a_list.write_text("{}")
    assert "$: an HSDS directory file is a JSON array" in _import(app, not_a_list).output
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert "is not JSON" in _import(app, garbage).output
