"""Signed webhooks: registered by a supervisor, written to the outbox with the move, sent by
the sweep to a real HTTP receiver on loopback, retried with backoff, switched off after
repeated failures with a notification."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.enums import NotificationKind, ReferralStatus, Role
from referrals.extensions import db
from referrals.lifecycle import services
from referrals.lifecycle.models import Notification, Referral
from referrals.lifecycle.sweep import sweep
from referrals.webhooks.delivery import deliver_due
from referrals.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api_support import make_side, send_referral
from tests.conftest import login

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


class Receiver:
    """A partner system's webhook receiver: answers with the codes it is given, in turn."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def pair(app, make_org, make_user, make_program):
    return (
        make_side(app, make_org, make_user, make_program, "Sender"),
        make_side(app, make_org, make_user, make_program, "Receiver"),
    )


def _documented_verify():
    """The verify() function of docs/API.md, as a partner would paste it."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "API.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 10
    namespace: dict = {}
    exec(compile(code, "docs/API.md", "exec"), namespace)
    return namespace["verify"]


def _supervisor_client(app, user_id: int):
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _register(app, supervisor_id: int, url: str) -> str:
    client = _supervisor_client(app, supervisor_id)
    response = client.post("/account/webhooks", data={"url": url})
    assert response.status_code == 200, response.get_data(as_text=True)
    secrets = SECRET.findall(response.get_data(as_text=True))
    assert len(secrets) == 1
    assert secrets[0] not in client.get("/account/webhooks").get_data(as_text=True)
    return secrets[0]


def _accept(app, public_id: str, partner_side) -> None:
    """The receiving organization accepts the referral (as its supervisor, on the page's verb)."""
    with app.app_context():
        referral = db.session.scalars(
            sa.select(Referral).where(Referral.public_id == public_id)
        ).one()
        services.act(referral, "accept", by=db.session.get(User, partner_side.supervisor_id))
        db.session.commit()


def test_only_public_https_addresses_are_registered(app, pair, login_as):
    _, side = pair
    client = _supervisor_client(app, side.supervisor_id)
    for url in (
        "http://example.org/hooks",
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://user:pw@example.org/",
        "ftp://example.org/",
        "not a url",
    ):
        response = client.post("/account/webhooks", data={"url": url})
        assert response.status_code == 400, url
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0
    partner, _ = login_as(Role.PARTNER, org=side.org)
    assert partner.get("/account/webhooks").status_code == 403


def test_a_move_is_signed_and_delivered_with_ids_and_types_only(app, pair, receiver):
    sender, side = pair
    secret = _register(app, side.supervisor_id, receiver.url)
    public_id = send_referral(app, sender, side)
    _accept(app, public_id, side)
    with app.app_context():
        delivered = deliver_due(datetime.now(UTC))
        db.session.commit()
    assert delivered == 1
    [(headers, body)] = receiver.requests
    event = Webhook(secret).verify(body, headers)
    assert set(event) == {"id", "type", "timestamp", "data"}
    assert event["type"] == "referral.updated"
    assert event["data"] == {"referral_id": public_id}
    assert headers["webhook-id"] == event["id"]
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(body.replace(b"updated", b"deleted"), headers)
    # The ten lines docs/API.md gives partners verify it too.
    verify = _documented_verify()
    lowered = {name.lower(): value for name, value in headers.items()}
    assert verify(secret, lowered, body) is True
    assert verify(secret, lowered, body + b" ") is False


def test_the_outbox_row_is_written_with_the_move_or_not_at_all(app, pair, receiver):
    sender, side = pair
    _register(app, side.supervisor_id, receiver.url)
    _register(app, sender.supervisor_id, receiver.url)
    public_id = send_referral(app, sender, side)
    with app.app_context():
        referral = db.session.scalars(
            sa.select(Referral).where(Referral.public_id == public_id)
        ).one()
        services.act(referral, "accept", by=db.session.get(User, side.supervisor_id))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 2
        db.session.rollback()  # the move did not happen: neither did its events
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
    _accept(app, public_id, side)
    with app.app_context():
        rows = db.session.execute(
            sa.select(WebhookEndpoint.organization_id, WebhookDelivery.event_type).join(
                WebhookEndpoint
            )
        ).all()
    assert sorted(rows) == sorted(
        [(side.org.id, "referral.updated"), (sender.org.id, "referral.updated")]
    )


def test_sending_is_received_by_the_receiving_organization(app, pair, receiver, make_intake):
    sender, side = pair
    _register(app, side.supervisor_id, receiver.url)
    draft = send_referral(app, sender, side, status=ReferralStatus.DRAFT)
    with app.app_context():
        referral = db.session.scalars(sa.select(Referral).where(Referral.public_id == draft)).one()
        services.act(referral, "send", by=db.session.get(User, sender.caseworker_id))
        db.session.commit()
        types = db.session.scalars(sa.select(WebhookDelivery.event_type)).all()
    assert types == ["referral.received"]


def test_a_500_is_retried_after_the_backoff_by_the_sweep(app, pair, receiver):
    sender, side = pair
    secret = _register(app, side.supervisor_id, receiver.url)
    _accept(app, send_referral(app, sender, side), side)
    receiver.answers = [500]
    now = datetime.now(UTC)
    with app.app_context():
        assert sweep(now=now).webhooks_delivered == 0
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.next_attempt_at == now + timedelta(seconds=60)
        assert sweep(now=now + timedelta(seconds=30)).webhooks_delivered == 0  # not due yet
        assert sweep(now=now + timedelta(seconds=61)).webhooks_delivered == 1
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
    first, second = receiver.requests
    assert first[0]["webhook-id"] == second[0]["webhook-id"]
    Webhook(secret).verify(second[1], second[0])
    log = _supervisor_client(app, side.supervisor_id).get(
        f"/account/webhooks/{delivery.endpoint_id}"
    )
    page = log.get_data(as_text=True)
    assert "Delivered" in page
    assert "Attempts: 2" in page


def test_repeated_failures_switch_the_endpoint_off_and_tell_the_supervisors(
    app, pair, receiver, monkeypatch, make_org, make_user
):
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER", 2)
    sender, side = pair
    _register(app, side.supervisor_id, receiver.url)
    public_id = send_referral(app, sender, side)
    _accept(app, public_id, side)
    receiver.answers = [503, 503, 503]
    now = datetime.now(UTC)
    with app.app_context():
        deliver_due(now)
        deliver_due(now + timedelta(minutes=5))
        db.session.commit()
        endpoint = db.session.scalars(sa.select(WebhookEndpoint)).one()
        assert (endpoint.active, endpoint.consecutive_failures) == (False, 2)
        told = db.session.scalars(
            sa.select(Notification.recipient_id).where(
                Notification.kind == NotificationKind.WEBHOOK_DISABLED
            )
        ).all()
        assert told == [side.supervisor_id]
        assert (
            db.session.scalar(
                sa.select(AuditEvent.actor_organization_id).where(
                    AuditEvent.action == "webhook.disabled"
                )
            )
            == side.org.id
        )
        assert deliver_due(now + timedelta(days=1)) == 0  # nothing goes to a switched-off one
        endpoint_id = endpoint.id
    assert len(receiver.requests) == 2
    client = _supervisor_client(app, side.supervisor_id)
    assert "switched off" in client.get("/notifications").get_data(as_text=True).lower()
    assert client.post(f"/account/webhooks/{endpoint_id}/switch").status_code == 302
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint_id).active is True
    stranger = _supervisor_client(app, sender.supervisor_id)
    assert stranger.get(f"/account/webhooks/{endpoint_id}").status_code == 404
    assert stranger.post(f"/account/webhooks/{endpoint_id}/switch").status_code == 404
