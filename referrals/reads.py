"""The one way a GET request writes: recording that a page was read.

Viewing an intake or a referral is audited, and the receiving organization's first view of
a referral is a read receipt. That record is committed before the page renders (no client
data is shown unrecorded), and what the view loaded stays as it was, so the page needs no
second load. Nothing else is written from a GET view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

from referrals.extensions import db

P = ParamSpec("P")


def record_read(record: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Call ``record(*args, **kwargs)`` (an audit-of-view, a read receipt) and commit it."""
    record(*args, **kwargs)
    session = db.session()
    # Loaded rows keep their values: the record changed none that the page shows unless it
    # set them itself (the read receipt does).
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
