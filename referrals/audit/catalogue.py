"""The actions and object types the audit page offers as filters.

Filtering never depends on this list being complete: a group ("referral") matches every
action that starts with it, so an action added elsewhere is still found by its group.
"""

from __future__ import annotations

from referrals.lifecycle.transitions import TRANSITIONS

# Actions written outside the referral transition table.
_ACTIONS = (
    "login.success",
    "login.failure",
    "login.locked",
    "logout",
    "user.password_changed",
    "reauth.failure",
    "mfa.enrolled",
    "mfa.disabled",
    "mfa.recovery_codes_replaced",
    "user.created",
    "intake.created",
    "intake.viewed",
    "intake.updated",
    "intake.closed",
    "intake.reopened",
    "intake.matched",
    "intake.matched_cli",
    "consent.recorded",
    "consent.revoked",
    "referral.drafted",
    "referral.viewed",
    "program.capacity_updated",
    "dashboard.exported",
    "admin.organization.created",
    "admin.organization.updated",
    "admin.organization.deactivated",
    "admin.organization.activated",
    "admin.program.created",
    "admin.program.updated",
    "admin.program.deactivated",
    "admin.program.activated",
    "admin.user.created",
    "admin.user.updated",
    "admin.user.deactivated",
    "admin.user.activated",
    "admin.user.password_reset",
    "admin.user.two_step_reset",
    "account.confirmation_requested",
    "account.confirmed",
    "sweep.reminders",
    "sweep.escalations",
    "sweep.consent_cancellations",
    "sweep.expired_cancellations",
    "sweep.emails_sent",
    "sweep.webhooks_delivered",
    "audit.verified",
    "retention.purged",
    "demo.seeded",
    "api.call",
    "api_token.created",
    "api_token.revoked",
    "webhook.registered",
    "webhook.enabled",
    "webhook.switched_off",
    "webhook.disabled",
    "directory.exported",
    "directory.imported",
)

KNOWN_ACTIONS: tuple[str, ...] = tuple(
    sorted({*_ACTIONS, *(f"referral.{t.action}" for t in TRANSITIONS)})
)
# The first word of each action: "admin" finds admin.user.created and the rest.
ACTION_GROUPS: tuple[str, ...] = tuple(
    sorted({action.split(".", 1)[0] for action in KNOWN_ACTIONS if "." in action})
)
OBJECT_TYPES = (
    "intake",
    "referral",
    "program",
    "organization",
    "user",
    "audit",
    "retention",
    "demo",
    "api_token",
    "webhook_endpoint",
    "directory",
)
