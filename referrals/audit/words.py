"""The audit page in words: actions, objects and details as people read them.

An event stores codes and ids (no client text ever reaches the trail); this module turns them
into labels and names for one page of events, looking the names up in one query per kind of
thing named, however many rows the page has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from referrals.audit.catalogue import OBJECT_LABELS
from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.enums import (
    CancelReason,
    CodedEnum,
    DeclineReason,
    HoldReason,
    OutcomeCode,
    ProgramStatus,
    ReferralStatus,
    Role,
    TokenScope,
)
from referrals.extensions import db
from referrals.localtime import show_date, show_datetime
from referrals.programs.models import Organization, Program
from referrals.tokens.models import ApiToken

# The words for each key an event's detail may hold; a key without them shows as it is.
DETAIL_LABELS: dict[str, object] = {
    "api_token": _l("API token"),
    "assignee_id": _l("Assigned to"),
    "at_sequence": _l("At event"),
    "consent_id": _l("Consent number"),
    "count": _l("How many"),
    "created": _l("Created"),
    "cutoff": _l("Closed before"),
    "days": _l("Days"),
    "events": _l("Events"),
    "expires_at": _l("Expires"),
    "failures": _l("Failures in a row"),
    "fields": _l("Fields changed"),
    "filters": _l("Filters"),
    "from": _l("From"),
    "from_program_id": _l("From program"),
    "guardian": _l("Guardian consent"),
    "head_sequence": _l("Last event"),
    "intact": _l("Chain intact"),
    "intake_id": _l("Intake"),
    "maximum": _l("Places in all"),
    "message_id": _l("Message number"),
    "method": _l("Method"),
    "organization_id": _l("Organization"),
    "organization_ids": _l("Organizations"),
    "page": _l("Page"),
    "partner": _l("Partner"),
    "period": _l("Quarter"),
    "problem": _l("Problem"),
    "program": _l("Program"),
    "program_id": _l("Program"),
    "reason": _l("Reason"),
    "receives": _l("Receives referrals"),
    "refers": _l("Sends referrals"),
    "require_mfa": _l("Requires two-step sign-in"),
    "role": _l("Role"),
    "route": _l("Address"),
    "rows": _l("Rows"),
    "scope": _l("Scope"),
    "second_step": _l("With two-step sign-in"),
    "services": _l("Programs"),
    "side": _l("Side"),
    "status": _l("Status"),
    "to": _l("To"),
    "to_program_id": _l("To program"),
    "updated": _l("Updated"),
    "via": _l("Through"),
    "why": _l("Why"),
}

# Codes that are not members of an enum of the app.
_CODES: dict[str, object] = {
    "bad_credentials": _l("wrong e-mail address or password"),
    "unknown_account": _l("no account with this e-mail address"),
    "inactive": _l("account deactivated"),
    "locked": _l("account locked"),
    "bad_second_step": _l("wrong two-step code"),
    "sender": _l("sending organization"),
    "receiver": _l("receiving organization"),
    "created": _l("account opened"),
    "moved": _l("moved to another organization or role"),
    "password_reset": _l("password reset"),
    "cli": _l("the command line"),
    "fhir": _l("FHIR"),
    "coalition": _l("coalition-wide"),
    "dashboard": _l("own figures"),
    "edit": _l("edit form"),
    "consent": _l("consent page"),
}
_ENUMS: tuple[type[CodedEnum], ...] = (
    ReferralStatus,
    DeclineReason,
    CancelReason,
    OutcomeCode,
    HoldReason,
    ProgramStatus,
    Role,
    TokenScope,
)
# Keys whose value is the id of a staff account, an organization, a program or a token.
_USER_KEYS = {"assignee_id"}
_ORG_KEYS = {"organization_id", "organization_ids", "partner"}
_PROGRAM_KEYS = {"from_program_id", "to_program_id", "program_id", "program"}
_TOKEN_KEYS = {"api_token"}
_NAMED_BY_KEY = {
    key: kind
    for kind, keys in (
        ("user", _USER_KEYS),
        ("organization", _ORG_KEYS),
        ("program", _PROGRAM_KEYS),
        ("api_token", _TOKEN_KEYS),
    )
    for key in keys
}
_MOMENT_KEYS = {"expires_at", "cutoff"}
_DAY_KEYS = {"from", "to"}  # in a dashboard export's filters


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass
class Names:
    """Names of the staff, organizations, programs and tokens one page of events mentions."""

    users: dict[int, str]
    organizations: dict[int, str]
    programs: dict[int, str]
    tokens: dict[int, str]

    def of(self, kind: str, ident: Any) -> str | None:
        table = {
            "user": self.users,
            "organization": self.organizations,
            "program": self.programs,
            "api_token": self.tokens,
        }.get(kind)
        try:
            return table.get(int(ident)) if table is not None else None
        except (TypeError, ValueError):
            return None


def _ids(values: Iterable[Any]) -> set[int]:
    found: set[int] = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int) or (isinstance(item, str) and item.isdigit()):
                found.add(int(item))
    return found


def _wanted(events: list[AuditEvent], object_type: str, keys: set[str]) -> set[int]:
    values: list[Any] = [e.object_id for e in events if e.object_type == object_type]
    for event in events:
        detail = dict(event.detail)
        detail.update(detail.get("filters") or {})
        values.extend(detail[key] for key in keys if key in detail)
    return _ids(values)


def names_for(events: list[AuditEvent]) -> Names:
    """Every name the page needs, in one statement (always one, so a page costs the same
    whatever its events name)."""
    wanted = (
        ("user", User.id, User.display_name, _USER_KEYS),
        ("organization", Organization.id, Organization.name, _ORG_KEYS),
        ("program", Program.id, Program.name, _PROGRAM_KEYS),
        ("api_token", ApiToken.id, ApiToken.name, _TOKEN_KEYS),
    )
    stmt = sa.union_all(
        *(
            sa.select(sa.literal(kind).label("kind"), ident.label("id"), name.label("name")).where(
                ident.in_(_wanted(events, kind, keys))
            )
            for kind, ident, name, keys in wanted
        )
    )
    found: dict[str, dict[int, str]] = {kind: {} for kind, *_rest in wanted}
    for kind, ident, name in db.session.execute(stmt):
        found[kind][ident] = name
    return Names(
        users=found["user"],
        organizations=found["organization"],
        programs=found["program"],
        tokens=found["api_token"],
    )


def object_words(event: AuditEvent, names: Names) -> str:
    """ "Program: Hope House", "Referral 7K2M-…", "Staff account: Ana Ruiz"; a dash for none."""
    if not event.object_type and not event.object_id:
        return "—"
    kind = str(OBJECT_LABELS.get(event.object_type, event.object_type))
    name = names.of(event.object_type, event.object_id) or event.object_id
    return f"{kind}: {name}" if name else kind


def _code(value: str) -> str:
    for enum_class in _ENUMS:
        try:
            return enum_class(value).label
        except ValueError:
            continue
    label = _CODES.get(value)
    return str(label) if label is not None else value


def _moment(value: str) -> str:
    try:
        return show_datetime(datetime.fromisoformat(value))
    except ValueError:
        return value


def _day(value: str) -> str:
    try:
        return show_date(datetime.fromisoformat(value).date())
    except ValueError:
        return _code(value)


def value_words(key: str, value: Any, names: Names) -> str:
    """One detail's value in words: names for ids, labels for codes, local times."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, list):
        return ", ".join(value_words(key, item, names) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{f.label}: {f.value}" for f in detail_fields(value, names))
    kind = _NAMED_BY_KEY.get(key)
    if kind is not None:
        return names.of(kind, value) or str(value)
    if isinstance(value, int | float):
        return str(format_decimal(value))
    text = str(value)
    if key in _MOMENT_KEYS:
        return _moment(text)
    if key in _DAY_KEYS and len(text) == 10:
        return _day(text)
    return _code(text)


def detail_fields(detail: dict[str, Any], names: Names) -> list[Field]:
    """An event's detail as labelled fields, in the order the labels list them."""
    return [
        Field(str(DETAIL_LABELS.get(key, key)), value_words(key, value, names))
        for key, value in sorted(detail.items())
    ]
