"""Only the statements marked ``prepared()`` stay prepared, and PostgreSQL may give them a
generic plan; every other statement is planned for its values at each run (postgresql.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from referrals.auth import sessions
from referrals.extensions import db
from referrals.lifecycle import lists
from referrals.lifecycle.transitions import Side
from referrals.postgresql import PREPARED, prepared
from referrals.programs.models import Organization

_PREPARED_HERE = sa.text(
    "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
    " WHERE statement LIKE :pattern"
)


def _prepared_like(connection: sa.Connection, pattern: str) -> list[sa.Row]:
    return list(connection.execute(_PREPARED_HERE, {"pattern": pattern}))


def test_connections_leave_plans_to_postgresql_and_read_time_in_utc(app: Flask, backend):
    with app.test_request_context("/"):
        connection = db.session.connection()
        if backend != "postgresql":
            return  # SQLite has no plan cache to set
        settings = {
            name: connection.exec_driver_sql(f"SHOW {name}").scalar()
            for name in ("plan_cache_mode", "jit", "TimeZone")
        }
    # Not force_generic_plan: that forces the generic plan on unprepared statements with
    # parameters too (PostgreSQL's unnamed statements): the dashboard took 3 s, not 0.6.
    assert settings == {"plan_cache_mode": "auto", "jit": "off", "TimeZone": "UTC"}


def test_a_statement_that_does_not_ask_is_never_prepared(app: Flask, backend, make_org):
    """psycopg would prepare any statement after its fifth run; a prepared dashboard
    aggregate fell back to a generic plan and took 3 s instead of 0.5 s."""
    make_org(name="Unprepared Org")
    count = sa.select(sa.func.count().label("unprepared_70707")).select_from(Organization)
    with app.test_request_context("/"):
        connection = db.session.connection()
        for _ in range(12):
            assert connection.execute(count).scalar() == 1
        if backend == "postgresql":
            assert _prepared_like(connection, "%unprepared_70707%") == []


def test_a_marked_statement_is_prepared(app: Flask, backend, make_org):
    make_org(name="Prepared Org")
    count = prepared(sa.select(sa.func.count().label("prepared_90909")).select_from(Organization))
    with app.test_request_context("/"):
        connection = db.session.connection()
        for _ in range(3):
            assert connection.execute(count).scalar() == 1  # SQLite runs it as it is
        if backend == "postgresql":
            [(statement, generic, custom)] = _prepared_like(connection, "%prepared_90909%")
            assert "count(*)" in statement
            assert generic + custom == 3


def test_a_marked_orm_statement_is_prepared_too(app: Flask, backend, make_org):
    org = make_org(name="ORM Org")
    by_slug = prepared(
        sa.select(Organization).where(Organization.slug == sa.bindparam("slug")).limit(7)
    )
    with app.test_request_context("/"):
        for _ in range(2):
            found = db.session.execute(by_slug, {"slug": org.slug}).scalar_one()
            assert found.name == "ORM Org"
        if backend == "postgresql":
            rows = _prepared_like(db.session.connection(), "%organizations.slug = $1%LIMIT $2%")
            assert [sum(row[1:]) for row in rows] == [2]


def test_the_audit_trails_insert_is_prepared_through_the_orms_flush(app: Flask, backend):
    """Every view of a referral writes a link (postgresql.prepared_inserts); an INSERT into
    any other table is planned at each run."""
    from referrals.audit import services as audit

    with app.test_request_context("/"):
        for n in range(3):
            audit.record("test.prepared", object_type="test", object_id=n)
        db.session.add(Organization(name="Not Prepared Org", slug="not-prepared-org"))
        db.session.flush()
        if backend == "postgresql":
            connection = db.session.connection()
            [(_statement, generic, custom)] = _prepared_like(connection, "INSERT INTO audit_%")
            assert generic + custom == 3
            assert _prepared_like(connection, "INSERT INTO organizations%") == []
        db.session.rollback()


def test_the_lists_run_prepared_with_no_plan_setting(app: Flask, backend, make_org, make_user):
    """No plan setting is sent: PostgreSQL (plan_cache_mode auto) chooses between the
    prepared statement's generic plan and one for its values. Which it picks depends on the
    table statistics, so it is checked on the benchmark databases (docs/PERFORMANCE.md,
    issue #17: the generic plan from the sixth run on), not here."""
    from referrals.enums import Role

    partner = make_user(Role.PARTNER, org=make_org(name="Generic Org", refers=False))
    with app.test_request_context("/"):
        # A page size of its own: statements of earlier tests stay prepared on the pool's
        # connections, and the limit is written into the SQL.
        for _ in range(8):
            lists.inbox_first_page(partner, status=None, size=47)
        if backend == "postgresql":
            connection = db.session.connection()
            assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
            rows = _prepared_like(connection, "%UNION ALL%LIMIT 48%")
            assert [sum(row[1:]) for row in rows] == [8]


def test_the_list_statements_take_no_status_as_a_parameter():
    """A status compared against is written into the SQL (a constant of ours); what is left
    as a parameter is what changes between requests."""
    from sqlalchemy.dialects import postgresql as pg_dialect

    statements = {
        "first": lists._inbox_first_page_statement(filtered=False, limit=51),
        "first, filtered": lists._inbox_first_page_statement(filtered=True, limit=51),
        "first, mine": lists._inbox_first_page_statement(filtered=False, limit=51, mine=True),
        "overdue": lists._overdue_statement(after=True, limit=51),
        "inbox": lists._newest_statement(Side.RECEIVER, filtered=False, after=True, limit=51),
        "sent": lists._newest_statement(Side.SENDER, filtered=True, after=True, limit=51),
    }
    parameters = {
        name: sorted(statement.compile(dialect=pg_dialect.dialect()).params)
        for name, statement in statements.items()
    }
    assert parameters == {
        "first": ["now", "organization_id"],
        "first, filtered": ["now", "organization_id", "status"],
        "first, mine": ["me", "now", "organization_id"],
        "overdue": ["after_at", "after_id", "now", "organization_id"],
        "inbox": ["after_at", "after_id", "now", "organization_id"],
        "sent": ["after_at", "after_id", "now", "organization_id", "status"],
    }
    first = str(statements["first"].compile(dialect=pg_dialect.dialect()))
    assert "!= 'draft'" in first  # the inbox never shows a draft
    assert "= 'requested'" in first  # overdue: still waiting for an answer


def test_the_session_check_and_every_list_statement_ask_to_be_prepared():
    limit = 51
    statements = [
        sessions._SESSION_WITH_USER,
        lists._inbox_first_page_statement(filtered=False, limit=limit),
        lists._inbox_first_page_statement(filtered=True, limit=limit),
        lists._overdue_statement(after=False, limit=limit),
        lists._overdue_statement(after=True, limit=limit),
    ] + [
        lists._newest_statement(side, filtered=filtered, after=after, limit=limit)
        for side in Side
        for filtered in (False, True)
        for after in (False, True)
    ]
    assert all(s.get_execution_options().get(PREPARED) for s in statements)


def test_list_limits_are_written_into_the_sql_and_nothing_is_rewritten_per_run():
    from sqlalchemy.dialects import postgresql as pg_dialect

    sql = str(
        lists._inbox_first_page_statement(filtered=False, limit=51).compile(
            dialect=pg_dialect.dialect()
        )
    )
    assert "LIMIT 6)" in sql  # the overdue panel: OVERDUE_PANEL_ROWS + 1
    assert "LIMIT 51)" in sql
    assert "POSTCOMPILE" not in sql


def test_timestamps_come_back_aware_in_utc_with_or_without_conversion(app: Flask, make_org):
    """PostgreSQL connections read timestamps in UTC, so UtcDateTime converts nothing
    there; SQLite keeps no zone, and UtcDateTime attaches UTC."""
    from datetime import UTC, datetime, timedelta, timezone

    from referrals.db_types import UtcDateTime

    org = make_org(name="Clock Org")
    moment = datetime(2026, 7, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    with app.test_request_context("/"):
        db.session.execute(
            sa.update(Organization).where(Organization.id == org.id).values(created_at=moment)
        )
        read = db.session.scalar(
            sa.select(Organization.created_at).where(Organization.id == org.id)
        )
        dialect = db.session.connection().dialect
        processor = UtcDateTime().result_processor(dialect, None)
        db.session.rollback()
    assert read == moment
    assert read.tzinfo is UTC
    assert (read.hour, read.day) == (4, 2)  # shown as UTC: 04:30 on the 2nd
    if dialect.name == "postgresql":
        # One check per value: a UTC value is passed through as it is, another zone (a
        # connection set otherwise) is still converted.
        assert processor(read) is read
        assert processor(moment).tzinfo is UTC
        assert processor(moment) == moment
        assert processor(None) is None


def test_a_deployments_own_options_are_kept_after_ours():
    from referrals.postgresql import SERVER_OPTIONS, connect_args

    args = connect_args({"options": "-c statement_timeout=5000", "connect_timeout": 3})
    assert args["options"] == f"{SERVER_OPTIONS} -c statement_timeout=5000"
    assert args["connect_timeout"] == 3
    assert connect_args({})["options"] == SERVER_OPTIONS
