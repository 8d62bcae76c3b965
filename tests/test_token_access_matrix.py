"""Every token route, method, token side and scope, for the own and another organization.

The parallel of tests/test_access_matrix.py for routes that take an API token (the pages'
matrix skips them): a token route without a line in EXPECTED fails
``test_every_token_route_is_listed``. Expectations: ``ok`` (any answer but 401, 403, 404,
405 or a server error), ``403``, ``404``; without a token every route answers 401.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from referrals.enums import NotificationKind, Role, TokenScope
from referrals.extensions import db
from referrals.lifecycle.models import Notification, Referral
from referrals.programs.models import Program
from tests.api_support import Side, bearer, make_side, make_token, send_referral
from tests.token_routes import is_token_route

SIDES = (Role.PARTNER, Role.CASEWORKER, Role.SUPERVISOR)
RECEIVER = {Role.PARTNER, Role.SUPERVISOR}
SENDER = {Role.CASEWORKER, Role.SUPERVISOR}
# No token, no client data: the OpenAPI document, its rendered docs and their files.
PUBLIC = {
    "api-docs.openapi_json",
    "api-docs.openapi_swagger_ui",
    "api_docs_assets.static",
    "fhir_meta.metadata",  # the CapabilityStatement, read before a client has a token
}


@dataclass
class Ids:
    """One organization's records, for filling in URLs."""

    public_id: str
    program_id: int
    notification_id: int
    program_hsds_id: str


Rule = Callable[[Role, TokenScope, bool], str]
Request = tuple[Callable[[Ids], str], dict[str, Any]]


def anyone(role: Role, scope: TokenScope, same_org: bool) -> str:
    return "ok"


def receiver_list(role: Role, scope: TokenScope, same_org: bool) -> str:
    return "ok" if role in RECEIVER else "403"


def sender_list(role: Role, scope: TokenScope, same_org: bool) -> str:
    return "ok" if role in SENDER else "403"


def own_record(role: Role, scope: TokenScope, same_org: bool) -> str:
    return "ok" if same_org else "404"


def own_record_act(role: Role, scope: TokenScope, same_org: bool) -> str:
    if scope == TokenScope.READ:
        return "403"
    return "ok" if same_org else "404"


def receiver_act(role: Role, scope: TokenScope, same_org: bool) -> str:
    if scope == TokenScope.READ:
        return "403"
    if not same_org:
        return "404"
    return "ok" if role in RECEIVER else "403"


def capacity(role: Role, scope: TokenScope, same_org: bool) -> str:
    if scope == TokenScope.READ or not same_org:
        return "403"  # as on the pages: another's program is public, its capacity not ours
    return "ok" if role in RECEIVER else "403"


def own_notification(role: Role, scope: TokenScope, same_org: bool) -> str:
    if scope == TokenScope.READ:
        return "403"
    return "ok" if same_org else "404"


ACCEPT = {"json": {"action": "accept"}, "headers": {"If-Match": '"1"'}}
# endpoint -> (rule, URL builder, request keywords)
EXPECTED: dict[str, tuple[Rule, Callable[[Ids], str], dict[str, Any]]] = {
    "api_referrals.received": (receiver_list, lambda i: "/api/v1/referrals/received", {}),
    "api_referrals.sent": (sender_list, lambda i: "/api/v1/referrals/sent", {}),
    "api_referrals.detail": (own_record, lambda i: f"/api/v1/referrals/{i.public_id}", {}),
    # The thread (issue #19): both sides of a referral read and write it.
    "api_messages.messages": (
        own_record,
        lambda i: f"/api/v1/referrals/{i.public_id}/messages",
        {},
    ),
    "api_messages.post_message": (
        own_record_act,
        lambda i: f"/api/v1/referrals/{i.public_id}/messages",
        {"json": {"body": "Is there a bed this week?"}},
    ),
    # Assignment (issue #19): each side gives the referral to its own staff, or to nobody.
    "api_messages.assign": (
        own_record_act,
        lambda i: f"/api/v1/referrals/{i.public_id}/assignee",
        {"json": {"assignee_id": None}},
    ),
    "api_referrals.act": (
        receiver_act,
        lambda i: f"/api/v1/referrals/{i.public_id}/actions",
        ACCEPT,
    ),
    "api_programs.index": (anyone, lambda i: "/api/v1/programs/", {}),
    "api_programs.detail": (anyone, lambda i: f"/api/v1/programs/{i.program_id}", {}),
    "api_programs.update_capacity": (
        capacity,
        lambda i: f"/api/v1/programs/{i.program_id}/capacity",
        {"json": {"available": 1}},
    ),
    "fhir.read_task": (own_record, lambda i: f"/fhir/Task/{i.public_id}", {}),
    "fhir.read_service_request": (own_record, lambda i: f"/fhir/ServiceRequest/{i.public_id}", {}),
    "fhir.search_tasks": (anyone, lambda i: "/fhir/Task", {}),
    # Never the current version: the state stays as it is for every token that follows.
    "fhir.update_task": (
        receiver_act,
        lambda i: f"/fhir/Task/{i.public_id}",
        {
            "PUT": {
                "json": {"resourceType": "Task", "status": "accepted"},
                "headers": {"If-Match": 'W/"0"'},
            },
            "PATCH": {
                "data": '[{"op": "replace", "path": "/status", "value": "accepted"}]',
                "content_type": "application/json-patch+json",
                "headers": {"If-Match": 'W/"0"'},
            },
        },
    ),
    # The directory is the coalition's: every member's system reads all of it.
    "hsds.services": (anyone, lambda i: "/hsds/services", {}),
    "hsds.service": (anyone, lambda i: f"/hsds/services/{i.program_hsds_id}", {}),
    "hsds.organizations": (anyone, lambda i: "/hsds/organizations", {}),
    "api_notifications.index": (anyone, lambda i: "/api/v1/notifications/", {}),
    "api_notifications.read": (
        own_notification,
        lambda i: f"/api/v1/notifications/{i.notification_id}/read",
        {},
    ),
}


def _token_rules() -> list[tuple[str, str]]:
    from config import TestingConfig
    from referrals import create_app

    app = create_app(TestingConfig)
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if is_token_route(rule) and rule.endpoint not in PUBLIC
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


RULES = _token_rules()


def test_every_token_route_is_listed() -> None:
    missing = sorted({endpoint for endpoint, _ in RULES} - set(EXPECTED))
    assert missing == [], f"add these token routes to EXPECTED in {__name__}: {missing}"


def build(app: Flask, make_org, make_user, make_program, name: str) -> tuple[Side, Ids]:
    """An organization that sent a referral to itself, and a notification for its supervisor."""
    side = make_side(app, make_org, make_user, make_program, name)
    public_id = send_referral(app, side, side)
    with app.app_context():
        referral_id = db.session.scalar(
            sa.select(Referral.id).where(Referral.public_id == public_id)
        )
        notification = Notification(
            recipient_id=side.supervisor_id,
            referral_id=referral_id,
            kind=NotificationKind.NEW_REFERRAL,
        )
        db.session.add(notification)
        db.session.commit()
        hsds_id = db.session.scalar(sa.select(Program.hsds_id).where(Program.id == side.program_id))
        return side, Ids(public_id, side.program_id, notification.id, hsds_id)


@pytest.fixture
def world(app, make_org, make_user, make_program):
    return (
        build(app, make_org, make_user, make_program, "Own"),
        build(app, make_org, make_user, make_program, "Other"),
    )


def _tokens(app: Flask, side: Side) -> dict[tuple[Role, TokenScope], str]:
    return {
        (role, scope): make_token(app, side.org, side.supervisor_id, role=role, scope=scope)
        for role in SIDES
        for scope in TokenScope
    }


@pytest.mark.parametrize(("endpoint", "method"), RULES, ids=[f"{e}-{m}" for e, m in RULES])
def test_token_access(app, world, endpoint, method):
    """One token route and method, for every side and scope, own and other organization."""
    (own, own_ids), (_, other_ids) = world
    rule, build_url, extra = EXPECTED[endpoint]
    extra = extra.get(method, extra) if method in ("PUT", "PATCH") else extra
    tokens = _tokens(app, own)
    client = app.test_client()
    failures = []
    for same_org in (True, False):
        url = build_url(own_ids if same_org else other_ids)
        anonymous = client.open(url, method=method, **extra)
        if anonymous.status_code != 401:
            failures.append(f"{method} {url} without a token: {anonymous.status_code}")
        for (role, scope), secret in tokens.items():
            headers = {**extra.get("headers", {}), **bearer(secret)}
            request = {**extra, "headers": headers}
            response = client.open(url, method=method, **request)
            status = response.status_code
            where = f"{method} {url} as {role.value}/{scope.value}"
            if not response.content_type.startswith("application/"):
                failures.append(f"{where}: {response.content_type}, not JSON")
            expected = rule(role, scope, same_org)
            if expected == "ok":
                if status in (401, 403, 404, 405) or status >= 500:
                    failures.append(f"{where}: {status}, wanted access")
            elif status != int(expected):
                failures.append(f"{where}: {status}, wanted {expected}")
    assert failures == []
