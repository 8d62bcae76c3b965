"""Programs and organizations as HSDS 3.0 services and organizations, and back.

What a program holds that HSDS 3.0 has a place for goes out: names, descriptions, status,
eligibility (ages, description), application process, languages, counties served (service
areas), service types and genders served (attributes of this coalition's taxonomies),
required documents, and the organization's website and phone. Capacity, response times and
the confidential location never do: the first two are the coalition's working figures, the
last is a safe house's address. Nested objects get ids derived from their parent's
(uuid5), so an export is the same every time and an import finds them again.
"""

from __future__ import annotations

import uuid
from typing import Any

from referrals.enums import ProgramStatus
from referrals.programs.models import Organization, Program

SERVICE_TYPES = "kc-coalition-service-types"
GENDERS = "kc-coalition-genders-served"
TAXONOMY_NAMES = {
    SERVICE_TYPES: "KC Coalition service types",
    GENDERS: "Genders served",
}
STATUS_OUT = {
    ProgramStatus.ACTIVE: "active",
    ProgramStatus.INACTIVE: "inactive",
    ProgramStatus.TEMPORARILY_CLOSED: "temporarily closed",
}
STATUS_IN = {value: status for status, value in STATUS_OUT.items()} | {
    "defunct": ProgramStatus.INACTIVE
}


def child_id(parent: str, *parts: str) -> str:
    """A stable id for a nested object: the same parent and name give the same id."""
    return str(uuid.uuid5(uuid.UUID(parent), "/".join(parts)))


def _taxonomy_id(taxonomy: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:kc-referrals:taxonomy:{taxonomy}"))


def _attribute(service_id: str, taxonomy: str, code: str) -> dict[str, Any]:
    term_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:kc-referrals:{taxonomy}:{code}"))
    return {
        "id": child_id(service_id, "attribute", taxonomy, code),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "code": code,
            "name": code.replace("_", " "),
            "description": code.replace("_", " "),
            "taxonomy": taxonomy,
            "taxonomy_id": _taxonomy_id(taxonomy),
            "taxonomy_detail": {
                "id": _taxonomy_id(taxonomy),
                "name": taxonomy,
                "description": TAXONOMY_NAMES[taxonomy],
            },
        },
    }


def organization(org: Organization) -> dict[str, Any]:
    """An HSDS organization (its list form: the one-to-one fields, and its phone)."""
    data: dict[str, Any] = {
        "id": org.hsds_id,
        "name": org.name,
        "description": org.description,
    }
    if org.website:
        data["website"] = org.website
    if org.phone:
        data["phones"] = [
            {
                "id": child_id(org.hsds_id, "phone", org.phone),
                "organization_id": org.hsds_id,
                "number": org.phone,
            }
        ]
    return data


def service_summary(program: Program) -> dict[str, Any]:
    """The one-to-one fields of an HSDS service (its service_list form)."""
    data: dict[str, Any] = {
        "id": program.hsds_id,
        "organization_id": program.organization.hsds_id,
        "name": program.name,
        "description": program.description,
        "status": STATUS_OUT[program.status],
    }
    optional = {
        "eligibility_description": program.eligibility_description,
        "minimum_age": program.min_age,
        "maximum_age": program.max_age,
        "application_process": program.application_process,
    }
    data.update({key: value for key, value in optional.items() if value not in (None, "")})
    return data


def service(program: Program) -> dict[str, Any]:
    """The full HSDS service, with its organization (as the HSDS API's /services/{id})."""
    service_id = program.hsds_id
    data = service_summary(program)
    data["languages"] = [
        {"id": child_id(service_id, "language", name), "service_id": service_id, "name": name}
        for name in program.languages
    ]
    data["service_areas"] = [
        {"id": child_id(service_id, "area", name), "service_id": service_id, "name": name}
        for name in program.counties_served
    ]
    data["attributes"] = [
        *(_attribute(service_id, SERVICE_TYPES, code) for code in program.service_types),
        *(_attribute(service_id, GENDERS, code) for code in program.genders_served),
    ]
    documents = [line.strip() for line in program.required_documents.splitlines() if line.strip()]
    data["required_documents"] = [
        {"id": child_id(service_id, "document", text), "service_id": service_id, "document": text}
        for text in documents
    ]
    data["organization"] = organization(program.organization)
    return data


def program_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The program columns an HSDS service gives (validated against the schema first)."""

    def terms(taxonomy: str) -> list[str]:
        return [
            str(attribute["taxonomy_term"]["code"])
            for attribute in data.get("attributes", [])
            if isinstance(attribute.get("taxonomy_term"), dict)
            and attribute["taxonomy_term"].get("taxonomy") == taxonomy
            and attribute["taxonomy_term"].get("code")
        ]

    def whole(value: Any) -> int | None:
        return None if value is None else int(value)

    return {
        "name": data["name"],
        "description": data.get("description", ""),
        "status": STATUS_IN[data["status"]],
        "eligibility_description": data.get("eligibility_description", ""),
        "min_age": whole(data.get("minimum_age")),
        "max_age": whole(data.get("maximum_age")),
        "application_process": data.get("application_process", ""),
        "languages": [item["name"] for item in data.get("languages", []) if item.get("name")],
        "counties_served": [
            item["name"] for item in data.get("service_areas", []) if item.get("name")
        ],
        "service_types": terms(SERVICE_TYPES),
        "genders_served": terms(GENDERS),
        "required_documents": "\n".join(
            item["document"] for item in data.get("required_documents", []) if item.get("document")
        ),
    }


def organization_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The organization columns an HSDS organization gives."""
    phones = [item["number"] for item in data.get("phones", []) if item.get("number")]
    return {
        "name": data["name"],
        "description": data.get("description", ""),
        "website": data.get("website", ""),
        "phone": phones[0] if phones else "",
    }
