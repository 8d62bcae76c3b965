"""``flask audit verify``: prove the audit trail has not been edited, cut or reordered."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from referrals.audit import services as audit
from referrals.audit.verify import HeadPin, VerifyResult, parse_head_pin, verify_chain
from referrals.extensions import db

audit_group = AppGroup("audit", help="The tamper-evident audit trail.")


def _pin(ctx: click.Context, param: click.Parameter, value: str | None) -> HeadPin | None:
    if value is None:
        return None
    try:
        return parse_head_pin(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@audit_group.command("verify")
@click.option(
    "--expect-head",
    metavar="SEQUENCE[:HASH]",
    callback=_pin,
    help="The head printed by an earlier run. Deleting the newest events leaves a chain "
    "that is intact on its own; only a pinned head shows it was cut.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(100, 100_000),
    default=5000,
    show_default=True,
    help="Events read per query.",
)
def verify_command(expect_head: HeadPin | None, batch_size: int) -> None:
    """Recompute every event's HMAC and check the links and sequences 1, 2, 3…

    Exits 0 when the trail is intact and prints its head; exits 1 at the first broken
    link and says where and what is wrong. Any edited column, deleted or inserted event,
    or two events swapped breaks the chain. Deleting the newest events does not, on its
    own: keep the "head" line of each run (for instance in the cron log or a ticket) and
    pass it back with --expect-head SEQUENCE:HASH so a cut-off end is caught too.
    """
    key = current_app.config["AUDIT_HMAC_KEY"].encode()
    old_keys = old_audit_keys(current_app.config.get("AUDIT_HMAC_OLD_KEYS") or "")
    result = verify_chain(
        key=key, old_keys=old_keys, expect_head=expect_head, batch_size=batch_size
    )
    # The run itself is accountable; it goes on the chain after the check, so the check
    # above is of the trail as it was.
    audit.record("audit.verified", object_type="audit", detail=_detail(result))
    db.session.commit()
    if result.problem is not None:
        hint = ""
        if result.problem.code == "content_changed" and not old_keys:
            hint = (
                "\nIf AUDIT_HMAC_KEY was changed, give the keys it had before in "
                "AUDIT_HMAC_OLD_KEYS (oldest first, comma-separated)."
            )
        raise click.ClickException(
            f"audit trail BROKEN after {result.count} intact events: "
            f"{result.problem.describe()}{hint}"
        )
    if result.head_sequence is None:
        click.echo("audit trail intact: 0 events")
        return
    click.echo(
        f"audit trail intact: {result.count} events, head sequence {result.head_sequence} "
        f"hash {result.head_hash}"
    )
    if old_keys:
        for segment in result.segments:
            click.echo(
                f"  from sequence {segment.first_sequence}: {_key_name(segment.key, len(old_keys))}"
            )
    click.echo(f"pin it for the next run: --expect-head {result.head_sequence}:{result.head_hash}")


def old_audit_keys(setting: str) -> list[bytes]:
    """AUDIT_HMAC_OLD_KEYS: the keys before the current one, oldest first, comma-separated."""
    return [key.strip().encode() for key in setting.split(",") if key.strip()]


def _key_name(number: int, old_count: int) -> str:
    if number == old_count:
        return "signed with AUDIT_HMAC_KEY"
    return f"signed with old key {number + 1} of {old_count} in AUDIT_HMAC_OLD_KEYS"


def _detail(result: VerifyResult) -> dict[str, object]:
    """Codes and numbers only."""
    detail: dict[str, object] = {
        "intact": result.intact,
        "events": result.count,
        "head_sequence": result.head_sequence,
    }
    if result.problem is not None:
        detail |= {"problem": result.problem.code, "at_sequence": result.problem.sequence}
    return detail
