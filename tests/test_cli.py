"""Operator commands."""

from __future__ import annotations

import re

import sqlalchemy as sa

from referrals.auth.models import User
from referrals.enums import Role
from referrals.extensions import db


def test_create_admin_prints_a_one_time_password_that_must_be_changed(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "Ops@Example.org"])
    assert result.exit_code == 0, result.output
    password = re.search(r"One-time password .*: (\S+)", result.output).group(1)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ops@example.org"))
        assert user.role == Role.ADMIN
        assert user.must_change_password
    client = app.test_client()
    response = client.post("/login", data={"email": "ops@example.org", "password": password})
    assert response.headers["Location"] == "/account/password"


def test_create_admin_refuses_a_duplicate_email(app, make_user):
    existing = make_user(Role.ADMIN)
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", existing.email])
    assert result.exit_code != 0
    assert "already exists" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
