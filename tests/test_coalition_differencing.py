"""Differencing: pairs of allowed coalition queries over generated data reveal no small count.

Hypothesis generates referral histories over 2026 (partners, programs, paths through the
lifecycle, moves that cross a quarter's end), and the query strings an attacker would try on
the page and the CSV: periods of every kind, date ranges around the quarters' edges, programs,
partners, several values at once. Then, on SQLite and PostgreSQL:

* every query the CSV accepts is answered with exactly the export of one finished quarter, and
  every other one is refused with a message; the page shows that same quarter's figures and
  says when it did not answer as asked. So the allowed queries are the finished quarters.
* the same queries asked again three weeks later, after more moves and more referrals, get
  byte-identical answers (no drift to subtract);
* quarters share no referral, and the reader of ``tests/coalition_reader.py``, given every
  answer at once (and told which count the same referrals), pins no hidden figure: no count
  below the threshold comes out of any pair, by subtraction or from "<5" cells and totals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from referrals.auth.models import User
from referrals.dashboard.periods import Quarter
from referrals.extensions import db
from tests.coalition_data import PARTNER_NAMES, PATHS, History, add_histories, advance, seed
from tests.coalition_data import expected_counts as oracle
from tests.coalition_reader import determined, parse_export, true_figures
from tests.conftest import empty_tables, login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=21)  # still inside the running quarter, 2026-Q4
PUBLISHED = (Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3))
LATEST = Quarter(2026, 3)
K = 5

PERIODS = ("2026-Q1", "2026-Q2", "2026-Q3", " 2026-Q2", "2026-Q4", "2027-Q1", "1999-Q4")
JUNK_PERIODS = ("2026-Q5", "2026-q3", "Q3", "", "2026-Q3;2026-Q4")
EDGES = sorted(
    {
        day
        for q in (Quarter(2025, 4), *PUBLISHED, Quarter(2026, 4))
        for edge in (q.start, q.end)
        for day in (edge - timedelta(days=1), edge, edge + timedelta(days=1))
    }
    | {NOW.date()}
)
# Filters of the organization's own dashboard; "0".."2" stand for the seeded ids.
ID_VALUES = ("0", "1", "2", "x", "", "99999999999")

params = st.lists(
    st.one_of(
        st.tuples(st.just("period"), st.sampled_from(PERIODS + JUNK_PERIODS)),
        st.tuples(st.sampled_from(("from", "to")), st.sampled_from(EDGES).map(date.isoformat)),
        st.tuples(st.sampled_from(("program", "partner")), st.sampled_from(ID_VALUES)),
    ),
    max_size=3,
)


def _moment(quarter: Quarter, hours: int) -> datetime:
    """``hours`` into the quarter; negative counts back from its end (-1: its last hour)."""
    base = quarter.starts_at if hours >= 0 else quarter.ends_at
    return base + timedelta(hours=hours, minutes=30 if hours < 0 else 0)


histories = st.builds(
    History,
    partner=st.integers(0, len(PARTNER_NAMES) - 1),
    program=st.integers(0, 1),
    sent_at=st.builds(
        _moment,
        st.sampled_from((*PUBLISHED, Quarter(2026, 4))),
        st.one_of(st.integers(0, 24 * 60), st.sampled_from((0, -1, -2))),
    ).filter(lambda moment: moment < NOW),
    path=st.sampled_from(sorted(PATHS)),
    gaps=st.lists(st.sampled_from((1, 20, 24 * 10, 24 * 40)), min_size=1, max_size=3).map(tuple),
    code=st.integers(0, 7),
)


def supervisor_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.email == email)).one()
        assert login(client, user).status_code == 302
    return client


def resolve(query: Sequence[tuple[str, str]], ids: dict[str, list[int]]) -> list[tuple[str, str]]:
    """Id placeholders replaced by the seeded programs' and partners' ids."""
    resolved = []
    for name, value in query:
        if name in ids and value in {"0", "1", "2"}:
            value = str(ids[name][int(value)])
        resolved.append((name, value))
    return resolved


def expected_answer(query: Sequence[tuple[str, str]]) -> tuple[Quarter, bool]:
    """The quarter a query must be answered with, and whether it must be refused/noticed."""
    filtered = any(value for name, value in query if name in {"from", "to", "program", "partner"})
    periods = [value for name, value in query if name == "period"]
    if not periods:
        return LATEST, filtered
    wanted = Quarter.parse(periods[0]) if len(periods) == 1 else None
    if wanted in PUBLISHED:
        return wanted, filtered
    return LATEST, True


def page_figures(html: str) -> tuple[str, list[str]]:
    """The quarter the page shows (its export link's) and every figure in its tables, in order."""
    match = re.search(r'data-testid="export-link" href="[^"]*period=(\d{4}-Q\d)', html)
    assert match, "no export link"
    figures = []
    for table in re.findall(
        r'<table class="table table-sm" data-testid="coalition-.*?</table>', html, re.S
    ):
        figures += [
            cell.strip() for cell in re.findall(r'<td class="text-end[^"]*">(.*?)</td>', table)
        ]
    return match[1], [figure.replace("&lt;", "<") for figure in figures]


def answers(
    client: FlaskClient, queries: list[list[tuple[str, str]]], ids: dict[str, list[int]]
) -> dict[str, bytes]:
    """Ask every query of the page and the CSV; check each answer; the CSVs by quarter."""
    canonical = {
        q.code: client.get(f"/dashboard/export.csv?scope=coalition&period={q.code}")
        for q in PUBLISHED
    }
    for code, response in canonical.items():
        assert response.status_code == 200, code
    exports = {code: response.get_data() for code, response in canonical.items()}
    for query in queries:
        asked = resolve(query, ids)
        quarter, refused = expected_answer(asked)
        csv_response = client.get(
            "/dashboard/export.csv?" + urlencode([("scope", "coalition"), *asked])
        )
        if refused:
            assert csv_response.status_code == 400, asked
            assert "quarter" in csv_response.get_data(as_text=True), asked
        else:
            assert csv_response.status_code == 200, asked
            assert csv_response.get_data() == exports[quarter.code], asked
        page = client.get("/dashboard/coalition?" + urlencode(asked))
        assert page.status_code == 200, asked
        html = page.get_data(as_text=True)
        assert ('data-testid="period-notice"' in html) == refused, asked
        shown, figures = page_figures(html)
        assert shown == quarter.code, asked
        published = [
            v
            for (section, _l), v in parse_export(exports[quarter.code]).items()
            if section != "period"
        ]
        assert figures == published, asked
        assert 'value="2026-Q4"' not in html  # the running quarter is never offered
    return exports


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Explaining a failure re-runs it hundreds of times (minutes here); the shrunk example
    # and its traceback say enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(
    first=st.lists(histories, max_size=30),
    later=st.lists(histories, max_size=6),
    queries=st.lists(params, min_size=2, max_size=5),
)
def test_no_pair_of_allowed_queries_reveals_a_small_count(
    app: Flask,
    first: list[History],
    later: list[History],
    queries: list[list[tuple[str, str]]],
) -> None:
    empty_tables(app)
    with time_machine.travel(NOW, tick=False) as clock:
        seeded = seed(app, first, until=NOW)
        ids = {"program": seeded.program_ids, "partner": seeded.partner_ids}
        before = answers(supervisor_client(app, seeded.supervisor_email), queries, ids)

        # Three weeks on: people moved referrals on, and more were sent (all in 2026-Q4).
        clock.move_to(LATER)
        advance(app, seeded, first, after=NOW, until=LATER)
        sent_later = [replace(h, sent_at=NOW + timedelta(hours=n + 1)) for n, h in enumerate(later)]
        add_histories(app, seeded, sent_later, until=LATER)
        after = answers(supervisor_client(app, seeded.supervisor_email), queries, ids)
    assert after == before  # every quarter's export, byte for byte

    exports = [parse_export(body) for body in before.values()] + [
        parse_export(body) for body in after.values()
    ]
    truths = [true_figures(oracle(first, Quarter.parse(code))) for code in before] * 2
    for export, truth in zip(exports, truths, strict=True):
        shown = {f: int(v) for f, v in export.items() if f[0] != "period" and v.isdigit()}
        assert shown == {f: truth[f] for f in shown}  # what is shown is true
        assert {f for f in export if f[0] != "period"} == truth.keys()
    days = [(e["period", "first_day"], e["period", "last_day"]) for e in exports[: len(before)]]
    for n, (first_day, last_day) in enumerate(days):  # quarters share no referral
        for other_first, other_last in days[n + 1 :]:
            assert last_day < other_first or other_last < first_day
    same = [(n, n + len(before)) for n in range(len(before))]
    assert determined(exports, truths, k=K, same_referrals=same) == []
