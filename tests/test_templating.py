"""What every page's layout and the list templates write (referrals/templating.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from flask import Flask, render_template
from markupsafe import escape

from referrals.enums import ReferralStatus


@pytest.mark.parametrize("selected", [ReferralStatus.IN_PROGRESS, "in_progress"])
def test_the_status_filter_marks_one_option_selected(app: Flask, selected: object):
    with app.test_request_context("/"):
        html = render_template(
            "lifecycle/_filter.html", statuses=list(ReferralStatus), status=selected
        )
    assert html.count(" selected>") == 1
    assert '<option value="in_progress" selected>Enrolled (in progress)</option>' in html
    assert html.count("<option value=") == len(ReferralStatus) + 1  # and "All"


def test_the_demo_banner_follows_the_database_within_a_minute(app: Flask, make_org):
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False) as clock:
        assert "DEMO DATA" not in app.test_client().get("/login").get_data(as_text=True)
        make_org(name="Demo Org", is_demo=True)
        # Asked at most once a minute (Flask-Caching, with an expiry).
        assert "DEMO DATA" not in app.test_client().get("/login").get_data(as_text=True)
        clock.shift(61)
        assert "DEMO DATA" in app.test_client().get("/login").get_data(as_text=True)


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
    assert len(tokens) == 3  # sign out, stay signed in, the language switch
    assert len(set(tokens)) == 1
    assert 'action="/logout"' in page


_HOSTILE = '<script>alert("x")</script>'


def test_list_lines_come_out_escaped_whatever_the_database_holds(app: Flask):
    from referrals.lifecycle.lists import ReferralLine

    now = datetime.now(UTC)
    line = ReferralLine(
        1, _HOSTILE, "requested", True, now, now, now, True, _HOSTILE, _HOSTILE, _HOSTILE
    )
    with app.test_request_context("/"):
        html = render_template("lifecycle/_list.html", rows=[line], side="inbox")
    assert _HOSTILE not in html
    # The link, its text, "ask the sender" (issue #19), code, program, sender.
    assert html.count(str(escape(_HOSTILE))) == 6
