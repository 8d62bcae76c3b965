"""A partner system asks for every other organization's records on every token route.

Every id in every token route's path is filled with another organization's record of that
kind (a referral, a notification, a program): records of clients answer 404 whatever the
token's side, scope or method. Programs are the coalition's public directory: another
organization's program reads like the pages show it, and its capacity is refused (403, as on
the pages). A route with an id this test does not know fails it.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from referrals.enums import NotificationKind, ReferralStatus, Role, TokenScope
from referrals.extensions import db
from referrals.lifecycle.models import Notification, Referral
from referrals.programs.models import Program
from tests.api_support import bearer, make_side, make_token, send_referral
from tests.token_routes import is_token_route

# The ids of client records in token routes' paths; the directory's are listed apart.
CLIENT_RECORD_IDS = {"public_id", "notification_id"}
DIRECTORY_IDS = {"program_id", "hsds_id"}
BODIES = {
    "PUT": {"json": {"available": 1}},
    "FHIR PUT": {"json": {"resourceType": "Task", "status": "accepted"}},
    "PATCH": {
        "data": '[{"op": "replace", "path": "/status", "value": "accepted"}]',
        "content_type": "application/json-patch+json",
    },
    "POST": {"json": {"action": "accept"}},
}
# Routes whose valid body is another (a well-formed request, so only access can refuse it).
ROUTE_BODIES = {
    "api_messages.post_message": {"json": {"body": "Is there a bed this week?"}},
    "api_messages.assign": {"json": {"assignee_id": None}},
}


def test_no_route_gives_away_another_organizations_record(app, make_org, make_user, make_program):
    own = make_side(app, make_org, make_user, make_program, "Own")
    other = make_side(app, make_org, make_user, make_program, "Other")
    third = make_side(app, make_org, make_user, make_program, "Third")
    # The other organization's referrals: to itself, to a third one, drafts, closed ones.
    foreign = [
        send_referral(app, other, other),
        send_referral(app, other, third),
        send_referral(app, third, other),
        send_referral(app, other, third, status=ReferralStatus.DRAFT),
        send_referral(app, third, other, status=ReferralStatus.COMPLETED),
    ]
    with app.app_context():
        referral_id = db.session.scalar(
            sa.select(Referral.id).where(Referral.public_id == foreign[0])
        )
        notification = Notification(
            recipient_id=other.supervisor_id,
            referral_id=referral_id,
            kind=NotificationKind.NEW_REFERRAL,
        )
        db.session.add(notification)
        db.session.commit()
        ids = {
            "public_id": foreign,
            "notification_id": [str(notification.id)],
            "program_id": [str(other.program_id)],
            "hsds_id": [
                db.session.scalar(sa.select(Program.hsds_id).where(Program.id == other.program_id))
            ],
        }
    tokens = [
        make_token(app, own.org, own.supervisor_id, role=role, scope=TokenScope.ACT)
        for role in (Role.PARTNER, Role.CASEWORKER, Role.SUPERVISOR)
    ]
    client = app.test_client()
    asked = 0
    failures = []
    for rule in app.url_map.iter_rules():
        if not is_token_route(rule) or not rule.arguments:
            continue
        unknown = rule.arguments - CLIENT_RECORD_IDS - DIRECTORY_IDS - {"filename"}
        assert not unknown, f"{rule.rule}: which organization's ids are {unknown}?"
        if "filename" in rule.arguments:
            continue  # Swagger UI's files
        (name,) = rule.arguments
        for value in ids[name]:
            url = re.sub(r"<(?:\w+:)?\w+>", value, rule.rule)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                for token in tokens:
                    headers = {"If-Match": '"1"', **bearer(token)}
                    body = ROUTE_BODIES.get(rule.endpoint) or BODIES.get(method, {})
                    response = client.open(url, method=method, headers=headers, **body)
                    asked += 1
                    status = response.status_code
                    if name in CLIENT_RECORD_IDS:
                        wanted = {404}
                    elif method == "GET":
                        wanted = {200}  # the public directory
                    else:
                        wanted = {403}  # another organization's capacity
                    if status not in wanted:
                        failures.append(f"{method} {url}: {status}, wanted {wanted}")
                    # (A problem's "instance" repeats the path asked for; nothing else may.)
                    text = response.get_data(as_text=True).replace(url, "")
                    if name in CLIENT_RECORD_IDS and any(public in text for public in foreign):
                        failures.append(f"{method} {url}: names another organization's referral")
    # Lists and searches never include them either.
    for url in (
        "/api/v1/referrals/received",
        "/api/v1/referrals/sent",
        "/fhir/Task",
        "/api/v1/notifications/",
    ):
        for token in tokens:
            text = client.get(url, headers=bearer(token)).get_data(as_text=True)
            asked += 1
            if any(public in text for public in foreign):
                failures.append(f"GET {url}: lists another organization's referral")
    assert failures == []
    assert asked > 50
