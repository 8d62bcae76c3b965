"""``flask directory export FILE`` and ``flask directory import FILE [--dry-run]``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from referrals.audit import services as audit
from referrals.extensions import db
from referrals.hsds import mapping, queries
from referrals.hsds.importer import import_directory
from referrals.hsds.validation import errors

directory_group = AppGroup("directory", help="Exchange the program directory as HSDS 3.0 JSON.")


@directory_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(path: Path) -> None:
    """Write every program of an active organization as HSDS services (a JSON array)."""
    services = [mapping.service(program) for program in queries.services()]
    problems = [error for item in services for error in errors("service", item)]
    if problems:  # never write what HSDS would refuse
        raise click.ClickException("\n".join(problems))
    path.write_text(json.dumps(services, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    audit.record("directory.exported", object_type="directory", detail={"services": len(services)})
    db.session.commit()
    click.echo(f"{len(services)} services written to {path}.")


@directory_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Upsert HSDS services and their organizations by HSDS id; any error imports nothing."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path} is not JSON: {error}") from None
    report = import_directory(data, dry_run=dry_run)
    if report.errors:
        db.session.rollback()
        for line in report.errors:
            click.echo(line, err=True)
        raise click.ClickException(f"{len(report.errors)} errors: nothing was imported.")
    for line in report.changes:
        click.echo(line)
    summary = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {summary}; nothing was saved.")
    else:
        db.session.commit()
        click.echo(f"Imported: {summary}.")
