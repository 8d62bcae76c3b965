"""A referral as FHIR R4 resources: the SDOH Clinical Care referral Task and its
ServiceRequest. Only the referral summary goes out: the client is a code, nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from referrals.db_types import utcnow
from referrals.enums import ReferralStatus
from referrals.fhir import codes
from referrals.lifecycle.models import Referral


def instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _meta(referral: Referral, profile: str) -> dict[str, Any]:
    return {
        "versionId": str(referral.version),
        "lastUpdated": instant(referral.updated_at),
        "profile": [profile],
    }


def _status_reason(referral: Referral) -> dict[str, Any] | None:
    if referral.decline_reason is not None:
        return codes.coded("decline-reason", referral.decline_reason)
    if referral.cancel_reason is not None:
        return codes.coded("cancel-reason", referral.cancel_reason)
    if referral.outcome is not None:
        return codes.coded("outcome", referral.outcome)
    return None


def _business_status(referral: Referral) -> dict[str, Any]:
    """Where the referral stands for people: overdue, or opened by the receiver, or its status."""
    if referral.is_overdue(utcnow()):
        code, text = "overdue", "Overdue: no answer by the time promised"
    elif referral.status == ReferralStatus.REQUESTED and referral.first_viewed_at:
        code, text = "viewed", "Opened by the receiving organization"
    else:
        code, text = referral.status.value, referral.status.label
    return {
        "coding": [{"system": codes.code_system("business-status"), "code": code}],
        "text": text,
    }


def task(referral: Referral) -> dict[str, Any]:
    """The referral as an SDOHCC TaskForReferralManagement."""
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": referral.public_id,
        "meta": _meta(referral, codes.TASK_PROFILE),
        "status": codes.TASK_STATUS[referral.status],
        "businessStatus": _business_status(referral),
        "intent": "order",
        "priority": referral.priority.value,
        "code": {"coding": [codes.TASK_CODE]},
        "focus": {"reference": f"ServiceRequest/{referral.public_id}"},
        "for": codes.client_reference(referral.intake.client_code),
        "authoredOn": instant(referral.sent_at or referral.created_at),
        "lastModified": instant(referral.updated_at),
        "requester": codes.organization_reference(
            referral.sending_organization_id, referral.sending_organization.name
        ),
        "owner": codes.organization_reference(
            referral.receiving_organization_id, referral.receiving_organization.name
        ),
    }
    reason = _status_reason(referral)
    if reason is not None:
        resource["statusReason"] = reason
    period = {
        key: instant(moment)
        for key, moment in (("start", referral.enrolled_at), ("end", referral.closed_at))
        if moment is not None
    }
    if period:
        resource["executionPeriod"] = period
    return resource


def service_request(referral: Referral) -> dict[str, Any]:
    """What was asked for: the client's needs at the receiving program, with the note."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": referral.public_id,
        "meta": _meta(referral, codes.SERVICE_REQUEST_PROFILE),
        "status": codes.SERVICE_REQUEST_STATUS[referral.status],
        "intent": "order",
        "priority": referral.priority.value,
        "code": {"text": referral.program.name},
        "subject": codes.client_reference(referral.intake.client_code),
        "authoredOn": instant(referral.sent_at or referral.created_at),
        "requester": codes.organization_reference(
            referral.sending_organization_id, referral.sending_organization.name
        ),
        "performer": [
            codes.organization_reference(
                referral.receiving_organization_id, referral.receiving_organization.name
            )
        ],
    }
    needs = [
        {"system": codes.code_system("service-type"), "code": need}
        for need in referral.intake.needs
    ]
    if needs:
        resource["code"]["coding"] = needs
    if referral.note:
        resource["note"] = [{"text": referral.note}]
    return resource
