"""FHIR codes for the lifecycle: Task.status, ServiceRequest.status, and our code systems.

The referral statuses are the SDOH Clinical Care Task statuses already (enums.py), spelled
with dashes in FHIR. Reasons (decline, cancel, outcome) and service types are coded in this
installation's own code systems, under its BASE_URL.
"""

from __future__ import annotations

from flask import current_app

from referrals.enums import CodedEnum, ReferralStatus

S = ReferralStatus
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition"
TASK_PROFILE = f"{SDOHCC}/SDOHCC-TaskForReferralManagement"
SERVICE_REQUEST_PROFILE = f"{SDOHCC}/SDOHCC-ServiceRequest"
TASK_CODE = {"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}

TASK_STATUS: dict[ReferralStatus, str] = {status: status.value.replace("_", "-") for status in S}
FROM_TASK_STATUS: dict[str, ReferralStatus] = {code: status for status, code in TASK_STATUS.items()}

SERVICE_REQUEST_STATUS: dict[ReferralStatus, str] = {
    S.DRAFT: "draft",
    S.REQUESTED: "active",
    S.ACCEPTED: "active",
    S.IN_PROGRESS: "active",
    S.ON_HOLD: "on-hold",
    S.COMPLETED: "completed",
    S.FAILED: "completed",
    S.REJECTED: "revoked",
    S.CANCELLED: "revoked",
    S.ENTERED_IN_ERROR: "entered-in-error",
}


def code_system(name: str) -> str:
    """The URL of one of this installation's code systems."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/fhir/CodeSystem/{name}"


def coded(name: str, member: CodedEnum) -> dict[str, object]:
    """A CodeableConcept of one coded value, with its label."""
    return {
        "coding": [{"system": code_system(name), "code": member.value, "display": member.label}],
        "text": member.label,
    }


def client_reference(client_code: str) -> dict[str, object]:
    """The client as a Patient known only by the client code: no Patient resource exists."""
    return {
        "type": "Patient",
        "identifier": {"system": code_system("client-code"), "value": client_code},
    }


def organization_reference(organization_id: int, name: str) -> dict[str, object]:
    return {"reference": f"Organization/{organization_id}", "display": name}
