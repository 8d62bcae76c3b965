"""FHIR R4: the SDOH Clinical Care referral Task and ServiceRequest over the same lifecycle,
validated with fhir.resources (its R4B models: R4B changed none of these resources)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from referrals.auth.models import User
from referrals.enums import DeclineReason, ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Referral, ReferralEvent
from tests.api_support import SITUATION_NOTE, bearer, make_side, send_referral
from tests.conftest import login

FHIR = "application/fhir+json"


@pytest.fixture
def pair(app, make_org, make_user, make_program):
    return (
        make_side(app, make_org, make_user, make_program, "Sender"),
        make_side(app, make_org, make_user, make_program, "Receiver"),
    )


def _outcome(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == FHIR
    OperationOutcome.model_validate(response.get_json())


def test_metadata_lists_task_and_service_request(client):
    response = client.get("/fhir/metadata")
    assert (response.status_code, response.content_type) == (200, FHIR)
    statement = CapabilityStatement.model_validate(response.get_json())
    assert statement.fhirVersion == "4.0.1"
    types = {resource.type for resource in statement.rest[0].resource}
    assert types == {"Task", "ServiceRequest"}


def test_task_and_service_request_validate_and_carry_the_summary_only(app, pair):
    sender, receiver = pair
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    headers = bearer(receiver.partner_token)
    response = client.get(f"/fhir/Task/{public_id}", headers=headers)
    assert (response.status_code, response.content_type) == (200, FHIR)
    task = Task.model_validate(response.get_json())
    assert (task.status, task.intent, task.priority) == ("requested", "order", "routine")
    assert task.focus.reference == f"ServiceRequest/{public_id}"
    assert task.owner.reference == f"Organization/{receiver.org.id}"
    assert task.requester.reference == f"Organization/{sender.org.id}"
    assert task.for_fhir.identifier.value.startswith("KC-")
    assert task.for_fhir.reference is None  # no Patient resource: the client code only
    assert response.headers["ETag"] == f'W/"{task.meta.versionId}"'
    request = client.get(f"/fhir/ServiceRequest/{public_id}", headers=headers)
    service = ServiceRequest.model_validate(request.get_json())
    assert service.status == "active"
    assert [coding.code for coding in service.code.coding] == ["counseling"]
    for text in (response.get_data(as_text=True), request.get_data(as_text=True)):
        assert SITUATION_NOTE not in text
        assert "debt_bondage" not in text
        assert "English" not in text
        assert "25_34" not in text
    stranger = bearer(sender.partner_token)
    _outcome(client.get(f"/fhir/Task/{public_id}", headers=stranger), 404)


def test_a_declined_task_codes_its_reason(app, pair):
    sender, receiver = pair
    public_id = send_referral(app, sender, receiver, status=ReferralStatus.REJECTED)
    with app.app_context():
        referral = db.session.scalars(
            sa.select(Referral).where(Referral.public_id == public_id)
        ).one()
        referral.decline_reason = DeclineReason.NO_CAPACITY
        db.session.commit()
    body = app.test_client().get(f"/fhir/Task/{public_id}", headers=bearer(receiver.partner_token))
    task = Task.model_validate(body.get_json())
    assert task.status == "rejected"
    assert task.statusReason.coding[0].code == "no_capacity"
    assert task.statusReason.coding[0].system.endswith("/fhir/CodeSystem/decline-reason")


def test_search_by_owner_status_and_last_update(app, pair):
    sender, receiver = pair
    first = send_referral(app, sender, receiver)
    second = send_referral(app, sender, receiver, status=ReferralStatus.ACCEPTED)
    client = app.test_client()
    headers = bearer(receiver.partner_token)

    def ids(query: str) -> list[str]:
        response = client.get(f"/fhir/Task?{query}", headers=headers)
        assert (response.status_code, response.content_type) == (200, FHIR)
        bundle = Bundle.model_validate(response.get_json())
        return [entry.resource.id for entry in bundle.entry or []]

    assert ids(f"owner=Organization/{receiver.org.id}") == [first, second]
    assert ids(f"owner={sender.org.id}") == []
    assert ids("status=accepted") == [second]
    assert ids("status=requested,accepted") == [first, second]
    assert ids("_lastUpdated=ge2000-01-01&_lastUpdated=lt2999-01-01") == [first, second]
    assert ids("_lastUpdated=gt2999-01-01") == []
    page = client.get("/fhir/Task?_count=1", headers=headers).get_json()
    assert [entry["resource"]["id"] for entry in page["entry"]] == [first]
    following = next(link["url"] for link in page["link"] if link["relation"] == "next")
    rest = client.get(following, headers=headers).get_json()
    assert [entry["resource"]["id"] for entry in rest["entry"]] == [second]
    for bad in ("status=lost", "_lastUpdated=2026-01-01", "owner=Patient/1", "_count=0"):
        _outcome(client.get(f"/fhir/Task?{bad}", headers=headers), 400)
    stranger = client.get("/fhir/Task", headers=bearer(sender.partner_token)).get_json()
    assert stranger.get("entry", []) == []


def test_a_status_update_is_a_move_and_shows_on_the_timeline(app, pair):
    sender, receiver = pair
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    headers = bearer(receiver.partner_token)
    read = client.get(f"/fhir/Task/{public_id}", headers=headers)
    task = read.get_json()
    url = f"/fhir/Task/{public_id}"

    _outcome(client.put(url, json={**task, "status": "accepted"}, headers=headers), 428)
    stale = {**headers, "If-Match": 'W/"99"'}
    _outcome(client.put(url, json={**task, "status": "accepted"}, headers=stale), 412)
    current = {**headers, "If-Match": read.headers["ETag"]}
    _outcome(client.put(url, json={**task, "status": "completed"}, headers=current), 409)
    _outcome(client.put(url, json={**task, "status": "sleeping"}, headers=current), 400)
    cancel = client.put(url, json={**task, "status": "cancelled"}, headers=current)
    _outcome(cancel, 403)  # the sender's move, not the receiver's

    accepted = client.put(url, json={**task, "status": "accepted"}, headers=current)
    assert accepted.status_code == 200, accepted.get_json()
    assert Task.model_validate(accepted.get_json()).status == "accepted"
    with app.app_context():
        event = db.session.scalars(
            sa.select(ReferralEvent).where(ReferralEvent.to_status == ReferralStatus.ACCEPTED)
        ).one()
        assert event.api_token_id is not None
        supervisor = db.session.get(User, receiver.supervisor_id)
        db.session.expunge(supervisor)
    page_client = app.test_client()
    assert login(page_client, supervisor).status_code == 302
    page = page_client.get(f"/referrals/{public_id}").get_data(as_text=True)
    assert 'data-testid="via-api"' in page


def test_a_json_patch_declines_with_a_coded_reason(app, pair):
    sender, receiver = pair
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    url = f"/fhir/Task/{public_id}"
    headers = {**bearer(receiver.partner_token), "If-Match": 'W/"1"'}
    patch = [{"op": "replace", "path": "/status", "value": "rejected"}]
    no_reason = client.patch(
        url, json=patch, headers={**headers, "Content-Type": "application/json-patch+json"}
    )
    _outcome(no_reason, 422)
    reason = {"coding": [{"code": "not_eligible"}]}
    patch.append({"op": "add", "path": "/statusReason", "value": reason})
    _outcome(client.patch(url, json=patch, headers=headers), 415)  # not a JSON Patch
    declined = client.patch(
        url, data=json.dumps(patch), content_type="application/json-patch+json", headers=headers
    )
    assert declined.status_code == 200, declined.get_json()
    task = Task.model_validate(declined.get_json())
    assert (task.status, task.statusReason.coding[0].code) == ("rejected", "not_eligible")
