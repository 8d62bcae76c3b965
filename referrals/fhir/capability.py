"""/fhir/metadata: what this FHIR endpoint does (a CapabilityStatement)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from referrals.fhir import codes

FHIR_VERSION = "4.0.1"


def capability_statement() -> dict[str, Any]:
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-07",
        "kind": "instance",
        "software": {"name": "KC Coalition Referrals"},
        "implementation": {
            "description": "Referrals between the coalition's organizations as SDOH Clinical "
            "Care referral Tasks; the client is known by a code only.",
            "url": f"{base}/fhir",
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "An API token in the Authorization header (Bearer), made by "
                    "a supervisor; it sees only its organization's referrals while consent "
                    "covers them.",
                },
                "resource": [
                    {
                        "type": "Task",
                        "supportedProfile": [codes.TASK_PROFILE],
                        "documentation": "An update (PUT, or PATCH with a JSON Patch) changes "
                        "Task.status only, through the same moves as the pages, with "
                        "statusReason for the reason and note for the note; If-Match is "
                        "required.",
                        "interaction": [
                            {"code": "read"},
                            {"code": "update"},
                            {"code": "patch"},
                            {"code": "search-type"},
                        ],
                        "versioning": "versioned",
                        "readHistory": False,
                        "updateCreate": False,
                        "searchParam": [
                            {"name": "owner", "type": "reference"},
                            {"name": "status", "type": "token"},
                            {
                                "name": "_lastUpdated",
                                "type": "date",
                                "documentation": "With a prefix: ge, gt, le or lt.",
                            },
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "ServiceRequest",
                        "supportedProfile": [codes.SERVICE_REQUEST_PROFILE],
                        "interaction": [{"code": "read"}],
                    },
                ],
            }
        ],
    }
