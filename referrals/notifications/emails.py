"""What a notification e-mail says: what happened and a link, never any client detail.

E-mail leaves the coalition's control (forwarding, shared inboxes, phones left unlocked), so a
message says nothing about the client: it names the referral by its random code and its
program, the organizations by name, and what happened ("Hope House accepted referral …",
notifications/wording.py); the link leads to the page behind the sign-in, where access is
checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from referrals.enums import NotificationKind
from referrals.notifications.wording import About, what_happened

SUBJECT_PREFIX = "[KC Referrals]"


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def _wording(kind: NotificationKind) -> tuple[str, str]:
    """Subject and one neutral sentence for each kind."""
    wording = {
        NotificationKind.NEW_REFERRAL: (
            _("New referral received"),
            _("A new referral has been sent to your organization."),
        ),
        NotificationKind.DECISION: (
            _("Referral update"),
            _("A partner organization has responded to a referral your organization sent."),
        ),
        NotificationKind.STATUS_CHANGE: (
            _("Referral update"),
            _("A referral your organization sent has a new status."),
        ),
        NotificationKind.OVERDUE: (
            _("Referral overdue"),
            _("A referral is past the time within which a response was promised."),
        ),
        NotificationKind.ESCALATION: (
            _("Referral escalated"),
            _("A referral your organization sent has not been answered in time."),
        ),
        NotificationKind.CANCELLED: (
            _("Referral withdrawn"),
            _("A referral sent to your organization has been withdrawn."),
        ),
        NotificationKind.MESSAGE: (
            _("New message about a referral"),
            _("The other organization wrote on a referral your organization works on."),
        ),
        NotificationKind.ASSIGNED: (
            _("A referral was assigned to you"),
            _("A referral was assigned to you."),
        ),
        NotificationKind.ACCOUNT_WAITING: (
            _("Staff account to confirm"),
            _(
                "An administrator opened, reset or moved a staff account of your "
                "organization. It sees no client records until you confirm it."
            ),
        ),
        NotificationKind.ACCOUNT_CONFIRMED: (
            _("Your account was confirmed"),
            _("Your account was confirmed: you now see your organization's records."),
        ),
        NotificationKind.WEBHOOK_DISABLED: (
            _("Webhook switched off"),
            _(
                "A webhook of your organization kept failing and was switched off. Check "
                "your system, then switch it on again."
            ),
        ),
    }
    return wording[kind]


def link_for(public_id: str | None, kind: NotificationKind | None = None) -> str:
    """The referral's page (its public id is a random token), the page of accounts to
    confirm, or the notification list."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    if kind is NotificationKind.ACCOUNT_WAITING:
        return f"{base}/account/confirmations"
    if kind is NotificationKind.WEBHOOK_DISABLED:
        return f"{base}/account/webhooks"
    return f"{base}/referrals/{public_id}" if public_id else f"{base}/notifications"


def compose(
    kind: NotificationKind,
    public_id: str | None,
    *,
    action: str | None = None,
    about: About | None = None,
) -> Email:
    """The plain-text e-mail for one notification: what happened to which referral (or the
    kind's neutral sentence), and the link."""
    title, sentence = _wording(kind)
    if about is not None and kind.about_a_referral:
        sentence = what_happened(kind, action, about)
    first = _("A referral needs your attention.") if kind.about_a_referral else None
    body = "\n".join(
        (
            first or _("Your attention is needed."),
            "",
            sentence,
            "",
            _("Sign in to see it:"),
            link_for(public_id, kind),
            "",
            "-- ",
            _(
                "This message contains no client information by design. "
                "Please do not reply with, or forward, client details by e-mail."
            ),
            _("KC Coalition Referrals"),
        )
    )
    return Email(subject=f"{SUBJECT_PREFIX} {title}", body=body + "\n")
