"""Errors for machines: RFC 9457 problem details under /api/ and /hsds/, FHIR's
OperationOutcome under /fhir/. Never a page, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
FHIR_JSON = "application/fhir+json"
PROBLEM_PREFIXES = ("/api/", "/hsds/")
FHIR_PREFIX = "/fhir/"

# FHIR's issue-type codes for the statuses the FHIR routes answer.
_FHIR_ISSUE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    422: "processing",
    428: "required",
    429: "throttled",
}
# Headers an exception carries that describe its HTML body, not the answer.
_BODY_HEADERS = frozenset({"content-type", "content-length"})


def for_machines() -> bool:
    """Whether this request's errors are answered as problem details or OperationOutcome."""
    return request.path.startswith((*PROBLEM_PREFIXES, FHIR_PREFIX))


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def machine_error(
    status: int,
    detail: str | None = None,
    *,
    headers: Iterable[tuple[str, str]] = (),
    errors: Any = None,
) -> Response:
    """The error as problem details (or an OperationOutcome on a FHIR route)."""
    text = detail or _title(status)
    if request.path.startswith(FHIR_PREFIX):
        body: dict[str, Any] = {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": _FHIR_ISSUE.get(status, "exception"),
                    "diagnostics": text,
                }
            ],
        }
        mimetype = FHIR_JSON
    else:
        body = {
            "type": "about:blank",
            "title": _title(status),
            "status": status,
            "detail": text,
            "instance": request.path,
        }
        if errors:
            body["errors"] = errors
        mimetype = PROBLEM_JSON
    response = Response(json.dumps(body), status=status, mimetype=mimetype)
    for name, value in headers:
        if name.lower() not in _BODY_HEADERS:
            response.headers[name] = value
    return response


def from_http_exception(error: HTTPException, detail: str | None = None) -> Response:
    """An HTTP error as a machine error, keeping its headers (Allow, WWW-Authenticate,
    Retry-After) and a validation error's messages (webargs puts them in ``data``)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors") if isinstance(data, dict) else None
    description = detail or (error.description if status < 500 else None)
    return machine_error(status, description, headers=error.get_headers(), errors=errors)
