"""The audit page in words (#19 item 8): every action the app writes has a label, and the page
shows actions, people, objects and details in words, not codes, ids or JSON."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from referrals.audit import services as audit
from referrals.audit.catalogue import ACTION_GROUPS, ACTION_LABELS, GROUP_LABELS, OBJECT_LABELS
from referrals.audit.words import DETAIL_LABELS
from referrals.enums import Role
from referrals.extensions import db
from referrals.lifecycle.sweep import STEPS
from referrals.lifecycle.transitions import SYSTEM_CANCEL, TRANSITIONS
from tests.conftest import login

PACKAGE = Path(__file__).parents[1] / "referrals"


def _is_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


def _action_argument(call: ast.Call) -> ast.expr | None:
    """The action given to ``audit.record(action, ...)`` or ``record_read(audit.record,
    action, ...)``."""
    if _is_record(call) and call.args:
        return call.args[0]
    func = call.func
    if isinstance(func, ast.Name) and func.id == "record_read" and len(call.args) > 1:
        first = call.args[0]
        if isinstance(first, ast.Attribute) and first.attr == "record":
            return call.args[1]
    return None


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _passed_for(tree: ast.Module, function: str, parameter: str, index: int) -> set[str]:
    """The constants every call of ``function`` in the module passes as ``parameter``."""
    found: set[str] = set()
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == function):
            continue
        given = [kw.value for kw in call.keywords if kw.arg == parameter]
        given += call.args[index : index + 1]
        assert given, f"{function}() called without {parameter}"
        found |= _strings(given[0])
    return found


def _resolve(tree: ast.Module, scope: ast.FunctionDef, name: str) -> set[str]:
    """A variable action: assigned in the function, or its parameter given by callers."""
    assigned = [
        node.value
        for node in ast.walk(scope)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]
    if assigned:
        return set().union(*(_strings(value) for value in assigned))
    parameters = [a.arg for a in (*scope.args.args, *scope.args.kwonlyargs)]
    assert name in parameters, f"cannot tell which action {scope.name}() writes"
    return _passed_for(tree, scope.name, name, parameters.index(name))


def actions_written() -> set[str]:
    """Every audit action the package writes, read from its source."""
    actions: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for scope in ast.walk(tree):
            if not isinstance(scope, ast.FunctionDef):
                continue
            for call in ast.walk(scope):
                argument = _action_argument(call) if isinstance(call, ast.Call) else None
                if argument is None:
                    continue
                where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
                if isinstance(argument, ast.Constant):
                    actions.add(str(argument.value))
                elif isinstance(argument, ast.JoinedStr):  # f"sweep.{name}"
                    assert _strings(argument) == {"sweep."}, where
                    actions |= {f"sweep.{name}" for name, _step in STEPS}
                elif isinstance(argument, ast.Attribute):  # transition.audit_action
                    assert argument.attr == "audit_action", where
                    actions |= {t.audit_action for t in (*TRANSITIONS, SYSTEM_CANCEL)}
                elif isinstance(argument, ast.Name):
                    actions |= _resolve(tree, scope, argument.id)
                else:
                    pytest.fail(f"{where}: cannot tell which action this writes")
    return actions


def test_the_source_reading_finds_every_kind_of_call() -> None:
    actions = actions_written()
    for expected in (
        "login.success",  # a constant
        "login.locked",  # a parameter, given by its callers
        "webhook.switched_off",  # a variable
        "admin.program.activated",  # a keyword argument
        "sweep.reminders",  # an f-string
        "referral.decline",  # a transition
        "dashboard.exported",  # through record_read
    ):
        assert expected in actions, expected


def test_every_action_the_app_writes_has_a_label() -> None:
    missing = actions_written() - set(ACTION_LABELS)
    assert not missing, f"label {sorted(missing)} in referrals/audit/catalogue.py"


def test_every_group_and_object_type_has_words() -> None:
    assert set(ACTION_GROUPS) <= set(GROUP_LABELS)
    for labels in (ACTION_LABELS, GROUP_LABELS, OBJECT_LABELS, DETAIL_LABELS):
        assert all(str(label) for label in labels.values())


def _cells(body: str, testid: str) -> Iterator[str]:
    return iter(re.findall(rf'data-testid="{testid}">(.*?)</td>', body, re.S))


def test_the_page_shows_every_action_in_words(app: Flask, make_user) -> None:
    admin = make_user(Role.ADMIN)
    with app.app_context():
        for action in ACTION_LABELS:
            audit.record(action, object_type="demo")
        db.session.commit()
    client = app.test_client()
    assert login(client, admin).status_code == 302
    app.config["PAGE_SIZE"] = len(ACTION_LABELS) + 5
    try:
        body = client.get("/audit").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    shown = re.findall(r'<td class="small" data-action="([^"]+)">([^<]+)</td>', body)
    assert {code for code, _text in shown} == set(ACTION_LABELS)
    for code, text in shown:
        assert text == str(ACTION_LABELS[code]), code
        assert "." not in text, text
        assert "_" not in text, text


def test_people_objects_and_details_are_named(
    app: Flask, make_org, make_user, make_program
) -> None:
    org = make_org(name="Riverside Healing House")
    other = make_org(name="Northland Shelter")
    supervisor = make_user(Role.SUPERVISOR, org=org, display_name="Dana Supervisor")
    moved = make_user(Role.PARTNER, org=org, display_name="Ana Ruiz")
    admin = make_user(Role.ADMIN, display_name="Alex Admin")
    program = make_program(org=org, name="Harbor Light Dental Clinic")
    with app.app_context():
        actor = db.session.get(type(admin), admin.id)
        audit.record(
            "admin.user.updated",
            actor=actor,
            object_type="user",
            object_id=moved.id,
            detail={"fields": ["role"], "role": "supervisor", "organization_id": org.id},
        )
        audit.record(
            "consent.recorded",
            actor=actor,
            object_type="intake",
            object_id=7,
            detail={
                "consent_id": 3,
                "organization_ids": [org.id, other.id],
                "expires_at": "2026-12-08T14:09:00+00:00",
                "guardian": True,
            },
        )
        audit.record(
            "dashboard.exported",
            actor=db.session.get(type(supervisor), supervisor.id),
            detail={
                "filters": {"from": "2026-03-01", "to": "2026-03-31", "program": program.id},
                "rows": 12,
            },
        )
        audit.record(
            "login.failure", object_type="user", object_id="", detail={"reason": "bad_credentials"}
        )
        db.session.commit()
    client = app.test_client()
    assert login(client, admin).status_code == 302
    body = client.get("/audit").get_data(as_text=True).replace("\u202f", " ")
    details = " | ".join(_cells(body, "audit-detail"))
    assert "Staff account: Ana Ruiz" in body  # not "user 2"
    assert f"user {moved.id}" not in body
    assert "Role:</dt> <dd" in details
    assert ">Supervisor</dd>" in details
    assert ">Riverside Healing House, Northland Shelter</dd>" in details
    assert ">12/8/2026, 8:09 AM CST</dd>" in details
    assert "Guardian consent:</dt> <dd" in details
    assert ">Yes</dd>" in details
    assert "From: 3/1/2026; Program: Harbor Light Dental Clinic; To: 3/31/2026" in details
    assert ">wrong e-mail address or password</dd>" in details
    text = re.sub(r"<[^>]+>", " ", details)  # what people read, without the markup
    for raw in ("{", "organization_ids", "bad_credentials", "expires_at", "="):
        assert raw not in text, raw
