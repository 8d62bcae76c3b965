"""Local time (#19 item 7): what people read is in COALITION_TIMEZONE, through Babel; what is
stored stays UTC; a day someone picks in a filter is a day of the coalition's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from config import Config, TestingConfig
from referrals import create_app
from referrals.audit import services as audit
from referrals.audit.models import AuditEvent
from referrals.audit.queries import AuditFilters
from referrals.auth.models import User
from referrals.dashboard.stats import Filters
from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Referral
from referrals.localtime import day_end, day_start, local_date, show_date, show_datetime
from tests.conftest import login

# 14:09 UTC on 8 December is 8:09 in Kansas City (CST, UTC-6); 03:00 UTC on 2 March is still
# the evening of 1 March there.
DUE = datetime(2026, 12, 8, 14, 9, tzinfo=UTC)
LATE_EVENING = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def plain(text: str) -> str:
    """CLDR puts a narrow no-break space before AM/PM; compare with ordinary spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_the_setting_defaults_to_chicago_is_documented_and_feeds_babel(app: Flask) -> None:
    assert Config.COALITION_TIMEZONE == "America/Chicago"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == app.config["COALITION_TIMEZONE"]
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "| `COALITION_TIMEZONE` | `America/Chicago` |" in readme


def test_an_unknown_zone_refuses_to_start() -> None:
    misspelt = type("Misspelt", (TestingConfig,), {"COALITION_TIMEZONE": "America/Chicgo"})
    with pytest.raises(RuntimeError, match="COALITION_TIMEZONE='America/Chicgo'"):
        create_app(misspelt)


def test_moments_are_shown_in_the_coalitions_zone_with_its_name(app: Flask) -> None:
    with app.test_request_context():
        assert plain(show_datetime(DUE)) == "12/8/2026, 8:09 AM CST"
        assert plain(show_datetime(DUE.replace(month=7))) == "7/8/2026, 9:09 AM CDT"
        assert show_date(LATE_EVENING) == "3/1/2026"  # the evening before, in Kansas City
        assert show_date(date(2026, 3, 1)) == "3/1/2026"  # a day is shown as it is
        assert show_datetime(None) == show_date(None) == "—"


def test_another_zone_is_one_setting_away() -> None:
    madrid = type("Madrid", (TestingConfig,), {"COALITION_TIMEZONE": "Europe/Madrid"})
    app = create_app(madrid)
    with app.test_request_context():
        assert plain(show_datetime(DUE)).startswith("12/8/2026, 3:09 PM")
        assert local_date(LATE_EVENING) == date(2026, 3, 2)
        assert day_start(date(2026, 3, 2)) == datetime(2026, 3, 1, 23, tzinfo=UTC)


def test_a_coalition_day_is_23_or_25_hours_when_the_clocks_change(app: Flask) -> None:
    with app.app_context():
        assert day_start(date(2026, 3, 1)) == datetime(2026, 3, 1, 6, tzinfo=UTC)
        assert day_end(date(2026, 3, 8)) - day_start(date(2026, 3, 8)) == timedelta(hours=23)
        assert day_end(date(2026, 11, 1)) - day_start(date(2026, 11, 1)) == timedelta(hours=25)


@dataclass
class World:
    caseworker: User
    supervisor: User
    public_id: str
    intake_code: str


@pytest.fixture
def world(app: Flask, make_org, make_user, make_program, make_intake) -> World:
    """A referral sent late on 1 March (Kansas City), answer due 8 December 8:09 CST."""
    sending = make_org(name="Sending Org", receives=False)
    receiving = make_org(name="Receiving Org", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sending)
    supervisor = make_user(Role.SUPERVISOR, org=sending)
    program = make_program(org=receiving)
    intake = make_intake(by=caseworker)
    with app.app_context():
        consent = Consent(
            intake_id=intake.id,
            given_at=LATE_EVENING - timedelta(days=1),
            expires_at=datetime(2099, 1, 1, tzinfo=UTC),
            recorded_by_id=caseworker.id,
            organizations=[db.session.get(type(receiving), receiving.id)],
        )
        referral = Referral(
            intake_id=intake.id,
            program_id=program.id,
            receiving_organization_id=receiving.id,
            sending_organization_id=sending.id,
            sent_by_id=caseworker.id,
            status=ReferralStatus.REQUESTED,
            sent_at=LATE_EVENING,
            response_due_at=DUE,
        )
        db.session.add_all([consent, referral])
        db.session.commit()
        public_id = referral.public_id
    return World(caseworker, supervisor, public_id, intake.client_code)


def signed_in(app: Flask, user: User):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_the_referral_page_shows_the_answer_due_in_local_time(app: Flask, world: World) -> None:
    page = plain(
        signed_in(app, world.caseworker).get(f"/referrals/{world.public_id}").get_data(as_text=True)
    )
    # What people read is local; the machine-readable value stays the stored UTC instant.
    assert '<time datetime="2026-12-08T14:09:00+00:00">12/8/2026, 8:09 AM CST</time>' in page
    assert " UTC" not in page


def test_lists_show_the_local_day(app: Flask, world: World) -> None:
    page = signed_in(app, world.caseworker).get("/referrals/").get_data(as_text=True)
    assert "3/1/2026" in page  # sent on the evening of 1 March, Kansas City time
    assert "3/2/2026" not in page


def _count(app: Flask, *conditions: sa.ColumnElement[bool]) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count(Referral.id)).where(*conditions)))


def test_a_dashboard_day_is_a_coalition_day(app: Flask, world: World) -> None:
    first, second = date(2026, 3, 1), date(2026, 3, 2)
    with app.app_context():
        on_first = Filters(start=first, end=first).conditions()
        on_second = Filters(start=second, end=second).conditions()
    assert _count(app, *on_first) == 1
    assert _count(app, *on_second) == 0
    page = signed_in(app, world.supervisor).get("/dashboard?from=2026-03-01&to=2026-03-01")
    assert "between 3/1/2026 and 3/1/2026" in page.get_data(as_text=True)
    assert 'value="2026-03-01"' in page.get_data(as_text=True)  # type=date inputs take ISO


def test_the_csv_gives_times_in_the_coalitions_zone(app: Flask, world: World) -> None:
    client = signed_in(app, world.supervisor)
    body = client.get("/dashboard/export.csv?from=2026-03-01&to=2026-03-01").get_data(as_text=True)
    assert "2026-03-01 21:00" in body
    assert "2026-03-02T03:00" not in body


def test_an_audit_day_is_a_coalition_day(app: Flask, world: World) -> None:
    with app.app_context():
        event = audit.record("demo.seeded", object_type="demo")
        event.occurred_at = LATE_EVENING
        db.session.commit()

        def found(day: date) -> int:
            stmt = sa.select(sa.func.count(AuditEvent.id)).where(
                *AuditFilters(start=day, end=day).where()
            )
            return int(db.session.scalar(stmt))

        assert (found(date(2026, 3, 1)), found(date(2026, 3, 2))) == (1, 0)


def test_consent_runs_to_the_end_of_the_coalitions_day(app: Flask, world: World) -> None:
    last_day = local_date(datetime.now(UTC)) + timedelta(days=20)
    client = signed_in(app, world.caseworker)
    with app.app_context():
        receiver = db.session.scalar(
            sa.select(Referral.receiving_organization_id).where(
                Referral.public_id == world.public_id
            )
        )
    response = client.post(
        f"/intakes/{world.intake_code}/consent",
        data={
            "organization_ids": [receiver],
            "expires_on": last_day.isoformat(),
            "written_confirmed": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        expires = db.session.scalar(
            sa.select(Consent.expires_at)
            .where(Consent.recorded_by_id == world.caseworker.id)
            .order_by(Consent.id.desc())
            .limit(1)
        )
        assert expires is not None
        assert local_date(expires) == last_day
        assert day_end(last_day) - expires == timedelta(microseconds=1)
