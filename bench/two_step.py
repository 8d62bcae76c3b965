"""Two-step sign-in for the benchmark's supervisors: their TOTP key and its codes.

Supervisors must sign in with a code from an authenticator (referrals/auth/mfa.py), and each
30-second step's code is accepted once per account; the benchmark therefore gives every
signed-in supervisor session its own account.
"""

from __future__ import annotations

import time

import pyotp

from referrals.auth.models import User
from referrals.db_types import utcnow

PERIOD = 30


def enrol_two_step(user: User) -> str:
    """Give the user a confirmed TOTP key (as finishing enrolment would); returns the key."""
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    if user.mfa_enrolled_at is None:
        user.mfa_enrolled_at = utcnow()
    return user.totp_secret


def code_at_offset(secret: str, offset: int) -> str:
    """The code of the current step, or of a neighbouring one (the server allows one step)."""
    return pyotp.TOTP(secret, interval=PERIOD).at(time.time() + offset * PERIOD)


def seconds_to_next_step() -> float:
    return PERIOD - time.time() % PERIOD
