"""The admin verbs, one import away: organizations, programs and staff accounts.

Each verb is keyword-only and typed; it checks its input (raising an ``AdminInputError``
with a message for the user), changes the rows, writes the audit event and flushes.
The view commits.
"""

from __future__ import annotations

from referrals.admin.common import AdminInputError, DuplicateError, SelfActionError
from referrals.admin.org_services import (
    activate_organization,
    create_organization,
    deactivate_organization,
    update_organization,
)
from referrals.admin.program_services import (
    activate_program,
    create_program,
    deactivate_program,
    update_program,
)
from referrals.admin.user_services import (
    activate_user,
    create_user,
    deactivate_user,
    reset_password,
    reset_two_step,
    update_user,
)

__all__ = [
    "AdminInputError",
    "DuplicateError",
    "SelfActionError",
    "activate_organization",
    "activate_program",
    "activate_user",
    "create_organization",
    "create_program",
    "create_user",
    "deactivate_organization",
    "deactivate_program",
    "deactivate_user",
    "reset_password",
    "reset_two_step",
    "update_organization",
    "update_program",
    "update_user",
]
