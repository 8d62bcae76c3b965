"""Rotating AUDIT_HMAC_KEY: the chain goes on in a new key segment that ``verify`` follows.

The old keys are given to ``verify`` in AUDIT_HMAC_OLD_KEYS (oldest first). Every event must
be signed with its segment's key or a later one; an edit under either key, a rewrite of the
old segment with the old key, and an event signed with an old key after the new one all
break the chain.
"""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from flask import Flask

from referrals.audit import services as audit
from referrals.audit.models import AuditEvent
from referrals.audit.verify import stored_events
from referrals.extensions import db
from tests.test_audit import execute, run_verify, seq, table, write_events

OLD, NEW, NEWEST = (secrets.token_hex(32) for _ in range(3))


@pytest.fixture
def use_keys(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """Set the current key and the old ones, as the environment would after a rotation."""

    def use(current: str, *old: str) -> None:
        monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", current)
        monkeypatch.setitem(app.config, "AUDIT_HMAC_OLD_KEYS", ",".join(old))

    return use


@pytest.fixture
def rotated(app: Flask, use_keys) -> Flask:
    """Events 1–3 under the old key, then the rotation, then events 4–6 under the new one."""
    use_keys(OLD)
    write_events(app, 3)
    use_keys(NEW, OLD)
    write_events(app, 3)
    return app


def test_verify_follows_the_new_segment_after_a_rotation(rotated):
    result = run_verify(rotated)
    assert result.exit_code == 0, result.output
    assert "audit trail intact: 6 events" in result.output
    assert "from sequence 1: signed with old key 1 of 1 in AUDIT_HMAC_OLD_KEYS" in result.output
    assert "from sequence 4: signed with AUDIT_HMAC_KEY" in result.output
    # The run's own event went on under the new key: the next run verifies it too.
    assert run_verify(rotated).exit_code == 0


def test_two_rotations_make_three_segments(rotated, use_keys):
    use_keys(NEWEST, OLD, NEW)
    write_events(rotated, 2)
    result = run_verify(rotated)
    assert result.exit_code == 0, result.output
    assert "from sequence 4: signed with old key 2 of 2" in result.output
    assert "from sequence 7: signed with AUDIT_HMAC_KEY" in result.output


def test_without_the_old_key_verify_fails_and_says_what_to_set(rotated, use_keys):
    use_keys(NEW)
    result = run_verify(rotated)
    assert result.exit_code == 1
    assert "sequence 1" in result.output
    assert "AUDIT_HMAC_OLD_KEYS" in result.output


@pytest.mark.parametrize("edited", [2, 5], ids=["under the old key", "under the new key"])
def test_an_edited_row_under_either_key_is_caught(rotated, edited):
    execute(rotated, sa.update(table).where(seq == edited).values(object_id="999"))
    result = run_verify(rotated)
    assert result.exit_code == 1
    assert f"sequence {edited}" in result.output
    assert "content changed" in result.output


def test_a_leaked_old_key_cannot_rewrite_the_old_segment(rotated):
    """Re-signing rows 2–3 with the old key breaks the link the new key made at row 4."""
    with rotated.app_context():
        rows = [row for row in stored_events() if row.sequence <= 3]
    prev_hash = rows[0].hash
    for row in rows[1:]:
        forged = row._replace(object_id="999", prev_hash=prev_hash)
        digest = audit.event_digest(OLD.encode(), forged)
        execute(
            rotated,
            sa.update(table)
            .where(seq == row.sequence)
            .values(object_id="999", prev_hash=prev_hash, hash=digest),
        )
        prev_hash = digest
    result = run_verify(rotated)
    assert result.exit_code == 1
    assert "sequence 4" in result.output
    assert "link to previous event broken" in result.output


def test_an_event_signed_with_the_old_key_after_the_new_one_is_caught(rotated, use_keys):
    """A process still writing with the old key (or a forger holding it) after the rotation."""
    use_keys(OLD)
    write_events(rotated, 1)
    use_keys(NEW, OLD)
    result = run_verify(rotated)
    assert result.exit_code == 1
    assert "sequence 7" in result.output
    assert "earlier key after a later one" in result.output
    with rotated.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 8
