"""``flask`` commands for operators: create-admin, seed-demo."""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.enums import Role
from referrals.extensions import db
from referrals.programs.models import Organization


@click.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's e-mail address.")
@click.option("--name", "display_name", default="Administrator", show_default=True)
@click.option(
    "--organization",
    "org_name",
    default="Coalition administration",
    show_default=True,
    help="Created if it does not exist.",
)
@with_appcontext
def create_admin(email: str, display_name: str, org_name: str) -> None:
    """Create an administrator with a one-time password (printed once)."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email)):
        raise click.ClickException(f"a user with e-mail {email} already exists")
    org = db.session.scalar(sa.select(Organization).where(Organization.name == org_name))
    if org is None:
        slug = "-".join(org_name.lower().split())[:80]
        org = Organization(name=org_name, slug=slug, refers=False, receives=False)
        db.session.add(org)
        db.session.flush()
    password = secrets.token_urlsafe(15)
    user = User(
        email=email,
        display_name=display_name,
        role=Role.ADMIN,
        organization=org,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        object_type="user",
        object_id=user.id,
        detail={"role": Role.ADMIN.value, "via": "cli"},
    )
    db.session.commit()
    click.echo(f"Created administrator {email}.")
    click.echo(f"One-time password (must be changed at first sign-in): {password}")


def register(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    from referrals.audit.cli import audit_group
    from referrals.demo import seed_demo
    from referrals.hsds.cli import directory_group
    from referrals.identifiers.cli import guard_group
    from referrals.lifecycle.cli import sweep_command
    from referrals.matching.cli import match_command
    from referrals.retention.cli import purge_command
    from referrals.rollups.cli import rollups_group

    for command in (
        create_admin,
        seed_demo,
        match_command,
        sweep_command,
        audit_group,
        purge_command,
        guard_group,
        directory_group,
        rollups_group,
    ):
        app.cli.add_command(command)
