"""What a notification says happened, in one sentence, for the list and the e-mail.

A referral is named by its code and its program, the organizations by their names: never
anything about the client (DESIGN §3: e-mail carries no client details). Each sentence is
whole, with named placeholders, so a translation can order it as its language needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from referrals.enums import NotificationKind as Kind


@dataclass(frozen=True)
class About:
    """The referral a notification is about, as it may be named outside the app."""

    code: str
    program: str
    sender: str
    receiver: str


_Sentence = Callable[[About], str]

# (kind, the move's action) -> the sentence; the action is None for kinds that say it all.
_SENTENCES: dict[tuple[Kind, str | None], _Sentence] = {
    (Kind.NEW_REFERRAL, "send"): lambda a: _(
        "%(sender)s sent referral %(code)s to %(program)s.",
        sender=a.sender,
        code=a.code,
        program=a.program,
    ),
    (Kind.DECISION, "accept"): lambda a: _(
        "%(receiver)s accepted referral %(code)s to %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.DECISION, "decline"): lambda a: _(
        "%(receiver)s declined referral %(code)s to %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.STATUS_CHANGE, "enroll"): lambda a: _(
        "%(receiver)s enrolled the client of referral %(code)s in %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.STATUS_CHANGE, "waitlist"): lambda a: _(
        "%(receiver)s put referral %(code)s to %(program)s on hold.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.STATUS_CHANGE, "resume"): lambda a: _(
        "%(receiver)s resumed work on referral %(code)s to %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.STATUS_CHANGE, "complete"): lambda a: _(
        "%(receiver)s completed referral %(code)s to %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.STATUS_CHANGE, "fail"): lambda a: _(
        "%(receiver)s closed referral %(code)s to %(program)s as not completed.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.STATUS_CHANGE, "cancel"): lambda a: _(
        "%(receiver)s cancelled referral %(code)s to %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.STATUS_CHANGE, "forward"): lambda a: _(
        "%(receiver)s forwarded referral %(code)s to its program %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    (Kind.CANCELLED, "cancel"): lambda a: _(
        "%(sender)s withdrew referral %(code)s to %(program)s.",
        sender=a.sender,
        code=a.code,
        program=a.program,
    ),
    (Kind.CANCELLED, "enter_in_error"): lambda a: _(
        "%(sender)s withdrew referral %(code)s to %(program)s: it was entered in error.",
        sender=a.sender,
        code=a.code,
        program=a.program,
    ),
    (Kind.CANCELLED, "system_cancel"): lambda a: _(
        "Referral %(code)s to %(program)s was cancelled automatically: consent ended or "
        "nobody answered in time.",
        code=a.code,
        program=a.program,
    ),
    (Kind.OVERDUE, None): lambda a: _(
        "Referral %(code)s to %(program)s is overdue: it has not been answered in time.",
        code=a.code,
        program=a.program,
    ),
    (Kind.ESCALATION, None): lambda a: _(
        "Referral %(code)s to %(program)s has not been answered in time and is brought to "
        "you as a supervisor.",
        code=a.code,
        program=a.program,
    ),
    (Kind.MESSAGE, None): lambda a: _(
        "New message on referral %(code)s to %(program)s.", code=a.code, program=a.program
    ),
    (Kind.ASSIGNED, None): lambda a: _(
        "Referral %(code)s to %(program)s was assigned to you.", code=a.code, program=a.program
    ),
}

# Kinds whose move is not known (rows written before moves were kept) say it generally.
_BY_KIND: dict[Kind, _Sentence] = {
    Kind.NEW_REFERRAL: _SENTENCES[(Kind.NEW_REFERRAL, "send")],
    Kind.DECISION: lambda a: _(
        "%(receiver)s answered referral %(code)s to %(program)s.",
        receiver=a.receiver,
        code=a.code,
        program=a.program,
    ),
    Kind.STATUS_CHANGE: lambda a: _(
        "Referral %(code)s to %(program)s has a new status.", code=a.code, program=a.program
    ),
    Kind.CANCELLED: lambda a: _(
        "Referral %(code)s to %(program)s was withdrawn.", code=a.code, program=a.program
    ),
}


def headline(kind: Kind) -> str:
    """What a notification is, without naming anything (a referral no longer visible, an
    account, a webhook)."""
    return {
        Kind.NEW_REFERRAL: _("New referral received"),
        Kind.DECISION: _("A partner answered a referral"),
        Kind.STATUS_CHANGE: _("The status of a referral changed"),
        Kind.OVERDUE: _("Referral overdue"),
        Kind.ESCALATION: _("Referral escalated"),
        Kind.CANCELLED: _("Referral withdrawn"),
        Kind.MESSAGE: _("New message about a referral"),
        Kind.ASSIGNED: _("A referral was assigned to you"),
        Kind.ACCOUNT_WAITING: _("A staff account is waiting for your confirmation"),
        Kind.ACCOUNT_CONFIRMED: _("Your account was confirmed"),
        Kind.WEBHOOK_DISABLED: _("A webhook kept failing and was switched off"),
    }[kind]


def what_happened(kind: Kind, action: str | None, about: About | None) -> str:
    """The sentence naming the referral and the move, or the headline when there is no
    referral to name."""
    if about is None or not kind.about_a_referral:
        return headline(kind)
    sentence = _SENTENCES.get((kind, action)) or _SENTENCES.get((kind, None)) or _BY_KIND[kind]
    return sentence(about)
