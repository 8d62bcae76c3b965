"""The floor: a page that runs one query of 50 rows and renders them, with no sign-in.

The shape of the TechEmpower "Fortunes" test, served by the same Flask, SQLAlchemy session,
Jinja environment and gunicorn as the app, so that ``page / baseline`` throughput says how
much the app's own work (sign-in check, scoped queries, layout) costs on top of the stack.
It lives only here: ``create_bench_app()`` adds it; the production app never has it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from referrals import create_app
from referrals.extensions import db
from referrals.postgresql import prepared
from referrals.read_only import read_only

BASELINE_PATH = "/bench/baseline"
ROWS = 50
# A few of the TechEmpower fortunes (markup included, so escaping is part of the work).
MESSAGES = (
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
)


class BenchBase(DeclarativeBase):
    """Separate metadata: the table exists only in benchmark databases, never in migrations."""


class Fortune(BenchBase):
    __tablename__ = "bench_fortunes"

    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(sa.String(2048))


bp = Blueprint("bench", __name__, template_folder="templates")
# Prepared, as the app's own list statements are (postgresql.py), and as
# TechEmpower's Fortunes implementations do: the floor gets the same help as the pages.
_FORTUNES = prepared(sa.select(Fortune).order_by(Fortune.id).limit(ROWS))


@bp.route(BASELINE_PATH)
@read_only  # as the list pages: its statement stays prepared
def baseline() -> ResponseReturnValue:
    """Fifty rows through the ORM, rendered by Jinja; no sign-in."""
    fortunes = db.session.scalars(_FORTUNES).all()
    return render_template("bench/fortunes.html", fortunes=fortunes)


def create_fortunes(engine: sa.Engine) -> None:
    """The baseline's table and its rows (idempotent)."""
    BenchBase.metadata.create_all(engine)
    with engine.begin() as connection:
        if connection.scalar(sa.select(sa.func.count()).select_from(Fortune)):
            return
        connection.execute(
            sa.insert(Fortune),
            [
                {"message": f"{MESSAGES[n % len(MESSAGES)]} ({n + 1})"}
                for n in range(ROWS + len(MESSAGES))
            ],
        )


def drop_fortunes(engine: sa.Engine) -> None:
    BenchBase.metadata.drop_all(engine)


def create_bench_app(config: type | None = None, **overrides: Any) -> Flask:
    """The production app plus the baseline route: what the benchmark's gunicorn serves."""
    app = create_app(config, **overrides)
    app.register_blueprint(bp)
    return app
