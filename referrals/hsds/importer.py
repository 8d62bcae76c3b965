"""``flask directory import``: an HSDS 3.0 file (a JSON array of services, each with its
organization) upserted by HSDS id, all or nothing.

Every record is checked first, against the HSDS schemas and against what this database
holds (names unique, ages in order, codes known); any error anywhere and nothing is
imported, and every error is named with its JSON path. Importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from referrals.audit import services as audit
from referrals.enums import Gender, ServiceType
from referrals.extensions import db
from referrals.hsds import mapping
from referrals.hsds.validation import errors as schema_errors
from referrals.programs.models import Organization, Program

NAME_LIMIT = 200
KNOWN_CODES = {
    mapping.SERVICE_TYPES: {member.value for member in ServiceType},
    mapping.GENDERS: {member.value for member in Gender},
}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _record_errors(index: int, record: Any) -> Iterator[str]:
    where = f"$[{index}]"
    yield from schema_errors("service", record, where)
    if not isinstance(record, dict):
        return
    org = record.get("organization")
    if not isinstance(org, dict):
        yield f"{where}.organization: required here (each service names its organization)"
    elif isinstance(org.get("name"), str) and len(org["name"]) > NAME_LIMIT:
        yield f"{where}.organization.name: longer than {NAME_LIMIT} characters"
    if isinstance(record.get("name"), str) and len(record["name"]) > NAME_LIMIT:
        yield f"{where}.name: longer than {NAME_LIMIT} characters"
    ages = [
        age
        for key in ("minimum_age", "maximum_age")
        if isinstance(age := record.get(key), int | float)
    ]
    if any(age < 0 or age != int(age) for age in ages):
        yield f"{where}: ages are whole numbers, 0 or more"
    elif len(ages) == 2 and ages[1] < ages[0]:
        yield f"{where}.maximum_age: lower than minimum_age"
    for number, attribute in enumerate(record.get("attributes") or []):
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        taxonomy = term.get("taxonomy") if isinstance(term, dict) else None
        if taxonomy in KNOWN_CODES and term and term.get("code") not in KNOWN_CODES[taxonomy]:
            where_code = f"{where}.attributes[{number}].taxonomy_term.code"
            yield f"{where_code}: not a code of {taxonomy}"


def _clashes(records: list[dict[str, Any]]) -> Iterator[str]:
    """Ids twice in the file; names the database (or the file) already gives to another."""
    seen: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records):
        where = f"$[{index}]"
        if record["id"] in seen:
            yield f"{where}.id: also the id of $[{seen[record['id']]}]"
        seen.setdefault(record["id"], index)
        org = record["organization"]
        key = (org["id"], record["name"])
        if key in names:
            yield f"{where}.name: $[{names[key]}] has this name at the same organization"
        names.setdefault(key, index)
        taken = db.session.scalar(
            sa.select(Organization.hsds_id).where(
                Organization.name == org["name"], Organization.hsds_id != org["id"]
            )
        )
        if taken:
            yield f"{where}.organization.name: another organization ({taken}) has this name"
        clash = db.session.scalar(
            sa.select(Program.hsds_id)
            .join(Program.organization)
            .where(
                Organization.hsds_id == org["id"],
                Program.name == record["name"],
                Program.hsds_id != record["id"],
            )
        )
        if clash:
            yield f"{where}.name: another service ({clash}) of this organization has this name"


def check(data: Any) -> list[str]:
    """Every error of the file, each with its JSON path (none: it may be imported)."""
    if not isinstance(data, list):
        return ["$: an HSDS directory file is a JSON array of services"]
    found = [error for index, record in enumerate(data) for error in _record_errors(index, record)]
    return found or list(_clashes(data))


def _slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:70] or "organization"
    slug, number = base, 1
    while db.session.scalar(sa.select(Organization.id).where(Organization.slug == slug)):
        number += 1
        slug = f"{base}-{number}"
    return slug


def _apply(row: Any, fields: dict[str, Any], label: str, report: Report, is_new: bool) -> None:
    changed = {
        name: (getattr(row, name, None), value)
        for name, value in fields.items()
        if is_new or getattr(row, name) != value
    }
    for name, value in fields.items():
        setattr(row, name, value)
    if is_new:
        report.created += 1
        report.changes.append(f"+ {label}")
    elif changed:
        report.updated += 1
        details = "; ".join(f"{name}: {old!r} → {new!r}" for name, (old, new) in changed.items())
        report.changes.append(f"~ {label}: {details}")
    else:
        report.unchanged += 1


def _upsert(record: dict[str, Any], report: Report, organizations: dict[str, Organization]) -> None:
    data = record["organization"]
    org = organizations.get(data["id"])
    if org is None:
        org = db.session.scalar(sa.select(Organization).where(Organization.hsds_id == data["id"]))
        is_new = org is None
        if org is None:
            # New providers take no referral until an administrator turns that on.
            org = Organization(hsds_id=data["id"], slug=_slug(data["name"]), receives=False)
            db.session.add(org)
        label = f"organization {data['id']} “{data['name']}”"
        _apply(org, mapping.organization_fields(data), label, report, is_new)
        organizations[data["id"]] = org
    program = db.session.scalar(sa.select(Program).where(Program.hsds_id == record["id"]))
    is_new = program is None
    if program is None:
        program = Program(hsds_id=record["id"], organization=org)
        db.session.add(program)
    elif program.organization_id != org.id:
        program.organization = org
    label = f"service {record['id']} “{record['name']}”"
    _apply(program, mapping.program_fields(record), label, report, is_new)
    db.session.flush()


def import_directory(data: Any, *, dry_run: bool) -> Report:
    """Check the whole file, then upsert every record in one transaction (the caller
    commits; a dry run rolls back)."""
    report = Report(errors=check(data))
    if report.errors:
        return report
    organizations: dict[str, Organization] = {}
    with db.session.no_autoflush:
        for record in data:
            _upsert(record, report, organizations)
    if not dry_run:
        audit.record(
            "directory.imported",
            object_type="directory",
            detail={"created": report.created, "updated": report.updated},
        )
    return report
