"""The coalition page and CSV offer whole, finished quarters only, and refuse everything else."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.dashboard.periods import OFFERED, Quarter, latest_published, offered
from referrals.extensions import db
from tests.coalition_data import History, seed
from tests.coalition_reader import parse_export
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
Q3 = Quarter(2026, 3)


# --- quarters ---------------------------------------------------------------------------------


def test_quarters_are_calendar_quarters() -> None:
    assert Quarter.parse("2026-Q1") == Quarter(2026, 1)
    assert Quarter.parse(" 2026-Q4 ") == Quarter(2026, 4)
    fullwidth = "\uff12\uff10\uff12\uff16-Q1"  # int() would read these digits
    for junk in ("2026-Q5", "2026-Q0", "2026-q1", "2026-Q1;", fullwidth, "", "2026-01"):
        assert Quarter.parse(junk) is None, junk
    assert (Quarter(2026, 1).start.isoformat(), Quarter(2026, 1).end.isoformat()) == (
        "2026-01-01",
        "2026-03-31",
    )
    assert Quarter(2026, 4).end.isoformat() == "2026-12-31"
    assert Quarter(2026, 4).following() == Quarter(2027, 1)
    assert Quarter(2027, 1).preceding() == Quarter(2026, 4)
    # A quarter ends at the coalition's midnight (America/Chicago, CDT in October).
    assert Quarter(2026, 3).ends_at == datetime(2026, 10, 1, 5, tzinfo=UTC)
    assert Quarter(2026, 4).starts_at == Quarter(2026, 3).ends_at
    assert Quarter.containing(NOW.date()) == Quarter(2026, 4)


def test_a_quarter_is_published_a_day_after_it_ends() -> None:
    end = Q3.ends_at
    assert not Q3.is_published(end - timedelta(seconds=1))
    assert not Q3.is_published(end + timedelta(hours=23, minutes=59))
    assert Q3.is_published(end + timedelta(days=1))
    assert latest_published(end + timedelta(hours=12)) == Quarter(2026, 2)
    assert latest_published(end + timedelta(days=1)) == Q3
    assert latest_published(NOW) == Q3
    assert not Quarter(1999, 4).is_published(NOW)


def test_the_selector_offers_finished_quarters_newest_first() -> None:
    quarters = offered(NOW)
    assert len(quarters) == OFFERED
    assert quarters[0] == Q3
    assert quarters == sorted(quarters, reverse=True)
    assert all(q.is_published(NOW) for q in quarters)
    assert Quarter(2026, 4) not in quarters


# --- the page and the CSV ---------------------------------------------------------------------


@pytest.fixture
def supervisor(app: Flask) -> FlaskClient:
    """Five referrals sent in 2026-Q3 and accepted in Q4, one sent in Q4; signed in on NOW."""
    sent = [
        History(0, 0, datetime(2026, 9, 20, tzinfo=UTC), "accepted", (24 * 20,), 0)
        for _ in range(5)
    ]
    running = History(1, 0, datetime(2026, 11, 2, tzinfo=UTC), "requested", (1,), 0)
    with time_machine.travel(NOW, tick=False):
        seeded = seed(app, [*sent, running], until=NOW)
        client = app.test_client()
        with app.app_context():
            user = db.session.get_one(User, seeded.supervisor_id)
            assert login(client, user).status_code == 302
    return client


def get(client: FlaskClient, url: str):
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        return client.get(url)


def exports(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "dashboard.exported")
            )
        )


def test_page_offers_whole_finished_quarters_and_says_why(app: Flask, supervisor) -> None:
    html = get(supervisor, "/dashboard/coalition").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options == [q.code for q in offered(NOW)]
    assert '<option value="2026-Q3" selected>' in html
    assert "2026-Q4" not in html  # the running quarter: neither offered nor shown
    assert 'name="from"' not in html
    assert 'name="partner"' not in html
    why = re.search(r'data-testid="why-fixed">(.*?)</p>', html, re.S)
    assert why
    assert "whole, finished quarters" in why[1]
    assert "Q3 2026 (7/1/2026 to 9/30/2026)" in html
    assert "period-notice" not in html
    assert 'href="/dashboard/export.csv?scope=coalition&amp;period=2026-Q3"' in html


def test_status_is_counted_as_it_was_when_the_quarter_ended(app: Flask, supervisor) -> None:
    """Accepted in Q4, the five Q3 referrals still count as requested in Q3's figures."""
    rows = parse_export(get(supervisor, "/dashboard/export.csv?scope=coalition").get_data())
    assert rows["period", "quarter"] == "2026-Q3"
    assert rows["period", "status_as_of"] == "2026-10-01 00:00"  # the coalition's midnight
    assert rows["status", "Partner A / requested"] == "5"
    assert rows["status", "Partner A / accepted"] == "0"
    assert ("status", "Partner B / total") not in rows  # sent in the running quarter


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-07-01&to=2026-09-29",
        "from=2026-07-02",
        "to=2026-09-30",
        "period=2026-Q3&from=2026-07-01&to=2026-09-30",
        "period=2026-Q3&partner=1",
        "program=1",
    ],
)
def test_hostile_filters_are_refused(app: Flask, supervisor, query: str) -> None:
    """A date range, program or partner: the CSV is refused, the page shows a whole quarter."""
    response = get(supervisor, f"/dashboard/export.csv?scope=coalition&{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    message = response.get_data(as_text=True)
    assert "Coalition figures cover whole quarters and every partner" in message
    assert exports(app) == []  # nothing exported, nothing audited

    html = get(supervisor, f"/dashboard/coalition?{query}").get_data(as_text=True)
    notice = re.search(r'data-testid="period-notice">(.*?)</div>', html, re.S)
    assert notice
    assert "cannot be chosen here" in notice[1]
    assert "Showing Q3 2026 (7/1/2026 to 9/30/2026)." in notice[1]
    canonical = get(supervisor, "/dashboard/coalition").get_data(as_text=True)
    table = re.compile(r'<table class="table table-sm".*?</table>', re.S)
    assert table.findall(html) == table.findall(canonical)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-Q4", "Q4 2026 (10/1/2026 to 12/31/2026) is not published"),
        ("2027-Q1", "is not published"),
        ("1999-Q4", "is not published"),
        ("2026-Q5", "Choose one quarter from the list."),
        ("", "Choose one quarter from the list."),
    ],
)
def test_unpublished_or_malformed_periods_are_refused(
    app: Flask, supervisor, period: str, message: str
) -> None:
    response = get(supervisor, f"/dashboard/export.csv?scope=coalition&period={period}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    html = get(supervisor, f"/dashboard/coalition?period={period}").get_data(as_text=True)
    assert message in html
    assert '<option value="2026-Q3" selected>' in html
    assert exports(app) == []


def test_two_periods_at_once_are_refused(app: Flask, supervisor) -> None:
    url = "/dashboard/export.csv?scope=coalition&period=2026-Q3&period=2026-Q2"
    assert get(supervisor, url).status_code == 400


def test_an_older_quarter_is_answered_and_audited(app: Flask, supervisor) -> None:
    response = get(supervisor, "/dashboard/export.csv?scope=coalition&period=2020-Q2")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="coalition-2020-Q2.csv"'
    rows = parse_export(response.get_data())
    assert (rows["period", "first_day"], rows["period", "last_day"]) == ("2020-04-01", "2020-06-30")
    assert rows["status", "total"] == "0"
    [event] = exports(app)
    assert event.detail["filters"] == {"period": "2020-Q2", "scope": "coalition"}
    html = get(supervisor, "/dashboard/coalition?period=2020-Q2").get_data(as_text=True)
    assert '<option value="2020-Q2" selected>' in html  # listed, although older than the list
