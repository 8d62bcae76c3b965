"""The list helpers of referrals/templating.py write what the plain template wrote."""

from __future__ import annotations

import pytest
from flask import Flask, render_template, render_template_string
from markupsafe import Markup, escape

from referrals.enums import ReferralStatus
from referrals.templating import status_options

_LOOP = (
    "{% set labels = ReferralStatus.labels() %}"
    "{% for s in statuses %}<option value=\"{{ s }}\" {{ 'selected' if status == s else '' }}>"
    "{{ labels[s] }}</option>{% endfor %}"
)


@pytest.mark.parametrize(
    "selected", [None, ReferralStatus.REQUESTED, ReferralStatus.COMPLETED, "overdue", "nonsense"]
)
@pytest.mark.parametrize("first", [0, 1])
def test_status_options_are_what_the_template_loop_wrote(app: Flask, selected, first: int):
    statuses = list(ReferralStatus)[first:]
    with app.test_request_context("/"):
        written = render_template_string(_LOOP, statuses=statuses, status=selected)
        assert status_options(statuses, selected) == written
        assert status_options(statuses, selected) == written  # remembered
        assert isinstance(status_options(statuses, selected), Markup)


def test_status_options_mark_one_option_selected(app: Flask):
    with app.test_request_context("/"):
        options = status_options(list(ReferralStatus), ReferralStatus.IN_PROGRESS)
    assert options.count(" selected>") == 1
    assert '<option value="in_progress" selected>' in options


def test_a_signed_in_page_writes_one_token_for_both_of_its_forms(app: Flask, login_as):
    import re

    from referrals.enums import Role

    client, _user = login_as(Role.CASEWORKER)
    before = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/programs/").get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = before
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', page)
    assert len(tokens) == 2  # sign out, stay signed in
    assert tokens[0] == tokens[1]
    assert 'action="/logout"' in page


_HOSTILE = '<script>alert("x")</script>'


def test_list_lines_come_out_escaped_whatever_the_database_holds(app: Flask):
    from datetime import UTC, datetime

    from referrals.lifecycle.lists import ReferralLine

    now = datetime.now(UTC)
    line = ReferralLine(
        1, _HOSTILE, "requested", True, now, now, now, True, _HOSTILE, _HOSTILE, _HOSTILE
    )
    with app.test_request_context("/"):
        html = render_template("lifecycle/_list.html", rows=[line], side="inbox")
    assert _HOSTILE not in html
    assert html.count(str(escape(_HOSTILE))) == 5  # link, its text, code, program, sender
