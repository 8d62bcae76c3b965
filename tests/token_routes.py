"""Which routes take an API token instead of a signed-in session.

They answer 401 problem details (not a redirect to /login), accept no session cookie and so
need no CSRF token: tests/test_token_access_matrix.py checks each of them, for every token
side and organization, and fails when one is missing there. The page tests skip them.
"""

from __future__ import annotations

from werkzeug.routing import Rule

TOKEN_PREFIXES = ("/api/", "/fhir/", "/hsds/")


def is_token_route(rule: Rule) -> bool:
    return rule.rule.startswith(TOKEN_PREFIXES)
