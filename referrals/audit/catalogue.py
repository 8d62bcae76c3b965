"""The audit trail's vocabulary: every action and object type, with the words the page shows.

The filter offers these; the page shows an action's label, never its code. Filtering never
depends on this list being complete: a group ("referral") matches every action that starts
with it. tests/test_audit_words.py reads the package's source for every action it writes and
fails on one without a label here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from referrals.lifecycle.transitions import TRANSITIONS

# Labels read as "what happened": the page shows who and to what beside them.
ACTION_LABELS: dict[str, object] = {
    "login.success": _l("Signed in"),
    "login.failure": _l("Sign-in refused"),
    "login.locked": _l("Account locked after failed sign-ins"),
    "logout": _l("Signed out"),
    "user.password_changed": _l("Changed their password"),
    "reauth.failure": _l("Wrong password when confirming it was them"),
    "mfa.enrolled": _l("Set up two-step sign-in"),
    "mfa.disabled": _l("Turned two-step sign-in off"),
    "mfa.recovery_codes_replaced": _l("Replaced their recovery codes"),
    "user.created": _l("Administrator account created from the command line"),
    "intake.created": _l("Intake recorded"),
    "intake.viewed": _l("Intake viewed"),
    "intake.updated": _l("Intake edited"),
    "intake.closed": _l("Intake closed"),
    "intake.reopened": _l("Intake reopened"),
    "intake.matched": _l("Matches looked up"),
    "intake.matched_cli": _l("Matches looked up from the command line"),
    "intake.assigned": _l("Intake assigned to a caseworker"),
    "consent.recorded": _l("Consent recorded"),
    "consent.revoked": _l("Consent revoked"),
    "referral.drafted": _l("Referral drafted"),
    "referral.viewed": _l("Referral viewed"),
    "referral.send": _l("Referral sent"),
    "referral.accept": _l("Referral accepted"),
    "referral.decline": _l("Referral declined"),
    "referral.enroll": _l("Client enrolled"),
    "referral.waitlist": _l("Referral put on hold"),
    "referral.resume": _l("Referral resumed"),
    "referral.complete": _l("Referral completed"),
    "referral.fail": _l("Referral closed as not completed"),
    "referral.cancel": _l("Referral cancelled"),
    "referral.enter_in_error": _l("Referral marked as entered in error"),
    "referral.message_posted": _l("Message written on a referral"),
    "referral.assigned": _l("Referral assigned"),
    "referral.forwarded": _l("Referral forwarded to another program"),
    "program.capacity_updated": _l("Open places updated"),
    "dashboard.exported": _l("Dashboard exported as CSV"),
    "admin.organization.created": _l("Organization added"),
    "admin.organization.updated": _l("Organization edited"),
    "admin.organization.deactivated": _l("Organization deactivated"),
    "admin.organization.activated": _l("Organization activated"),
    "admin.program.created": _l("Program added"),
    "admin.program.updated": _l("Program edited"),
    "admin.program.deactivated": _l("Program deactivated"),
    "admin.program.activated": _l("Program activated"),
    "admin.user.created": _l("Staff account opened"),
    "admin.user.updated": _l("Staff account edited"),
    "admin.user.deactivated": _l("Staff account deactivated"),
    "admin.user.activated": _l("Staff account activated"),
    "admin.user.password_reset": _l("Password reset by an administrator"),
    "admin.user.two_step_reset": _l("Two-step sign-in reset by an administrator"),
    "account.confirmation_requested": _l("Staff account waiting for a supervisor to confirm"),
    "account.confirmed": _l("Staff account confirmed"),
    "sweep.reminders": _l("Overdue reminders sent"),
    "sweep.escalations": _l("Overdue referrals brought to supervisors"),
    "sweep.consent_cancellations": _l("Referrals cancelled as consent ended"),
    "sweep.expired_cancellations": _l("Unanswered referrals cancelled"),
    "sweep.emails_sent": _l("Notification e-mails sent"),
    "sweep.webhooks_delivered": _l("Webhook events delivered"),
    "sweep.intakes_purged": _l("Closed intakes emptied of free text by the retention policy"),
    "audit.verified": _l("Audit trail checked"),
    "retention.purged": _l("Old free text removed by the retention policy"),
    "demo.seeded": _l("Demo data loaded"),
    "api.call": _l("Partner system called the API"),
    "api_token.created": _l("API token made"),
    "api_token.revoked": _l("API token revoked"),
    "webhook.registered": _l("Webhook added"),
    "webhook.enabled": _l("Webhook switched on"),
    "webhook.switched_off": _l("Webhook switched off"),
    "webhook.disabled": _l("Webhook switched off after repeated failures"),
    "directory.exported": _l("Program directory exported"),
    "directory.imported": _l("Program directory imported"),
}

KNOWN_ACTIONS: tuple[str, ...] = tuple(
    sorted({*ACTION_LABELS, *(f"referral.{t.action}" for t in TRANSITIONS)})
)
# The first word of each action: "admin" finds admin.user.created and the rest.
GROUP_LABELS: dict[str, object] = {
    "account": _l("Staff account confirmations"),
    "admin": _l("Administration"),
    "api": _l("API calls"),
    "api_token": _l("API tokens"),
    "audit": _l("Audit trail checks"),
    "consent": _l("Consent"),
    "dashboard": _l("Dashboard exports"),
    "demo": _l("Demo data"),
    "directory": _l("Program directory"),
    "intake": _l("Intakes"),
    "login": _l("Sign-ins"),
    "mfa": _l("Two-step sign-in"),
    "program": _l("Open places"),
    "reauth": _l("Password confirmations"),
    "referral": _l("Referrals"),
    "retention": _l("Retention"),
    "sweep": _l("Scheduled sweep"),
    "user": _l("Passwords and accounts"),
    "webhook": _l("Webhooks"),
}
ACTION_GROUPS: tuple[str, ...] = tuple(
    sorted({action.split(".", 1)[0] for action in KNOWN_ACTIONS if "." in action})
)
OBJECT_LABELS: dict[str, object] = {
    "intake": _l("Intake"),
    "referral": _l("Referral"),
    "program": _l("Program"),
    "organization": _l("Organization"),
    "user": _l("Staff account"),
    "audit": _l("Audit trail"),
    "retention": _l("Retention"),
    "demo": _l("Demo data"),
    "api_token": _l("API token"),
    "webhook_endpoint": _l("Webhook"),
    "directory": _l("Program directory"),
}
OBJECT_TYPES = tuple(OBJECT_LABELS)


def action_label(action: str) -> str:
    """The words for an action; its code if it has none (a test keeps that from happening)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
