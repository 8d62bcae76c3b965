"""The dashboard: the viewer's own figures, the coalition's suppressed ones, and the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from referrals.access import can_use_inbox, can_use_sent_list, role_required, staff
from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.dashboard import csv_export, periods, stats
from referrals.dashboard.chart import trend_svg
from referrals.dashboard.coalition import choose_period, legend, publish
from referrals.dashboard.views import bp
from referrals.db_types import utcnow
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus, Role
from referrals.errors import render_error
from referrals.localtime import local_date
from referrals.read_only import record_read

DEFAULT_DAYS = 90
MIN_YEAR, MAX_YEAR = 2000, 2999
VIEWERS = (Role.CASEWORKER, Role.PARTNER, Role.SUPERVISOR)


def _date_arg(name: str, default: date) -> date:
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default  # absent or malformed: the default window
    # Far-off years would overflow the date arithmetic of the window and the trend.
    return value if MIN_YEAR <= value.year <= MAX_YEAR else default


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    # isascii: "²".isdigit() is true but int("²") fails.
    return int(value) if value.isascii() and value.isdigit() and int(value) < 2**31 else None


def filters_from_request(now: datetime) -> stats.Filters:
    """The GET form's filters; anything unreadable falls back to the last 90 days, no filter."""
    end = _date_arg("to", local_date(now))
    return stats.Filters(
        start=_date_arg("from", end - timedelta(days=DEFAULT_DAYS)),
        end=end,
        program_id=_id_arg("program"),
        partner_id=_id_arg("partner"),
    )


@dataclass
class Dashboard:
    """Everything the page and the export show, from a fixed number of statements."""

    breakdown: stats.Breakdown
    timings: list[stats.Timing]
    overdue: list[stats.Overdue]
    capacity: list
    trend: list[stats.Week]


def collect(user: User, filters: stats.Filters, now: datetime) -> Dashboard:
    scope = stats.scope_for(user, now)
    breakdown = stats.breakdown(scope, filters)
    partners = {org_id: decisions.label for org_id, decisions in breakdown.partners.items()}
    return Dashboard(
        breakdown=breakdown,
        timings=stats.response_times(scope, filters, partners),
        overdue=stats.overdue(scope, filters, now),
        capacity=stats.capacity_board(user, scope, filters),
        trend=stats.weekly_trend(scope, filters),
    )


@bp.route("/dashboard")
@role_required(*VIEWERS)
def dashboard() -> ResponseReturnValue:
    """Figures for the viewer's own work or organization, with filters."""
    user = staff()
    now = utcnow()
    filters = filters_from_request(now)
    programs, partners = stats.filter_choices()
    return render_template(
        "dashboard/index.html",
        data=collect(user, filters, now),
        filters=filters,
        programs=programs,
        partners=partners,
        statuses=[s for s in ReferralStatus if s != ReferralStatus.DRAFT],
        # Looked up once: every program's row names its reasons.
        reason_labels=DeclineReason.labels(),
        overdue_limit=stats.OVERDUE_LIMIT,
        sent_list=can_use_sent_list(user) and user.role != Role.PARTNER,
        inbox_list=can_use_inbox(user) and user.role != Role.CASEWORKER,
        trend_svg=trend_svg,
        now=now,
    )


@bp.route("/dashboard/coalition")
@role_required(Role.SUPERVISOR)
def coalition() -> ResponseReturnValue:
    """One finished quarter's coalition-wide aggregates, small counts suppressed."""
    now = utcnow()
    choice = choose_period(request.args, now)
    tables = publish(choice.quarter, current_app.config["SUPPRESSION_THRESHOLD"])
    quarters = periods.offered(now)
    if choice.quarter not in quarters:  # an older quarter, asked for by its address
        quarters.append(choice.quarter)
    return render_template(
        "dashboard/coalition.html",
        tables=tables,
        legends={key: legend(table) for key, table in tables.items()},
        quarter=choice.quarter,
        quarters=quarters,
        problems=choice.problems,
        labels={
            "status": {s.value: s.label for s in ReferralStatus},
            "decline_reason": {r.value: r.label for r in DeclineReason},
            "outcome": {o.value: o.label for o in OutcomeCode},
        },
    )


def coalition_export(user: User, now: datetime) -> ResponseReturnValue:
    """One finished quarter's suppressed tables as CSV; anything else is refused, not guessed."""
    choice = choose_period(request.args, now)
    if choice.problems:
        return render_error(400, " ".join(choice.problems))
    tables = publish(choice.quarter, current_app.config["SUPPRESSION_THRESHOLD"])
    rows = csv_export.coalition_rows(choice.quarter, tables)
    asked = {"period": choice.quarter.code, "scope": "coalition"}
    record_read(
        audit.record, "dashboard.exported", actor=user, detail={"filters": asked, "rows": len(rows)}
    )
    body = csv_export.render(csv_export.LONG_HEADER, rows)
    return csv_export.attachment(body, f"coalition-{choice.quarter.code}.csv")


@bp.route("/dashboard/export.csv")
@role_required(*VIEWERS)
def export() -> ResponseReturnValue:
    """The filtered figures as CSV (and a supervisor's referral list); always audited."""
    user = staff()
    now = utcnow()
    filters = filters_from_request(now)
    coalition_scope = request.args.get("scope") == "coalition" and user.role == Role.SUPERVISOR
    if request.args.get("scope") == "coalition" and not coalition_scope:
        abort(403)
    if coalition_scope:
        return coalition_export(user, now)  # whole quarters only: it reads no free filter
    rows: list = csv_export.dashboard_rows(collect(user, filters, now))
    body = csv_export.render(csv_export.figure_header(), rows)
    name = "dashboard"
    if user.role == Role.SUPERVISOR:
        records = csv_export.referral_rows(stats.referral_list(stats.scope_for(user, now), filters))
        body += "\r\n" + csv_export.render(csv_export.referral_header(), records)[1:]
        rows = [*rows, *records]
    record_read(
        audit.record,
        "dashboard.exported",
        actor=user,
        detail={"filters": {**filters.codes(), "scope": name}, "rows": len(rows)},
    )
    return csv_export.attachment(body, f"{name}-{filters.start}-{filters.end}.csv")
