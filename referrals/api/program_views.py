"""/api/v1/programs: the directory, and capacity updates by the program's own organization."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.exceptions import Forbidden, UnprocessableEntity

from referrals.api.schemas import CapacityArgs, ProgramSchema
from referrals.extensions import db
from referrals.programs import queries, services
from referrals.programs.models import Program
from referrals.tokens.guard import acting_user, protect

blp = protect(
    Blueprint(
        "api_programs",
        __name__,
        url_prefix="/api/v1/programs",
        description="The coalition's programs (public to every member).",
    )
)


@blp.route("/")
@blp.response(200, ProgramSchema(many=True))
def index() -> list[Program]:
    """Every program of an active organization."""
    return queries.directory()


@blp.route("/<int:program_id>")
@blp.response(200, ProgramSchema)
def detail(program_id: int) -> Program:
    """One program: eligibility, capacity and its freshness."""
    return queries.get_program_or_404(program_id)


@blp.route("/<int:program_id>/capacity", methods=["PUT"])
@blp.arguments(CapacityArgs)
@blp.response(200, ProgramSchema)
def update_capacity(args: dict[str, Any], program_id: int) -> Program:
    """Set the open places (and the maximum) of one of your organization's programs."""
    program = queries.get_program_or_404(program_id)
    user = acting_user()
    if not program.can_update_capacity(user):
        raise Forbidden(description=_("Only the program's own organization updates its capacity."))
    try:
        services.update_capacity(
            program, by=user, available=args["available"], maximum=args.get("maximum")
        )
    except services.CapacityError as error:
        db.session.rollback()
        raise UnprocessableEntity(description=str(error)) from None
    db.session.commit()
    return program
