"""The referral page: the summary this user may see, its timeline and thread, who works it,
and the forms of everything this user may do with it now."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from referrals import access
from referrals.access import staff
from referrals.db_types import utcnow
from referrals.enums import PRIORITY_FOR_URGENCY, DeclineReason, ReferralStatus
from referrals.lifecycle.conversation import side_of
from referrals.lifecycle.forms import ActionForm, AssignForm, ForwardForm, MessageForm, SendForm
from referrals.lifecycle.models import Referral
from referrals.lifecycle.page_lists import Line, PageLists, page_lists
from referrals.lifecycle.transitions import Side, Transition
from referrals.matching.queries import match_intake
from referrals.programs.queries import program_choice, program_choices


def suggestions_for(referral: Referral, actions: list[Transition]) -> list[SelectChoice]:
    """Programs a receiver may suggest when it declines (only read when it may decline)."""
    if not any(t.takes_suggestion for t in actions):
        return []
    return program_choices(but=referral.program_id)


def _may_forward(referral: Referral, side: Side | None) -> bool:
    return side is Side.RECEIVER and referral.status == ReferralStatus.REQUESTED


def _choices(programs: list[Line]) -> list[SelectChoice]:
    return [
        SelectChoice(str(line.id), program_choice(line.name or "", line.organization or ""))
        for line in programs
    ]


def _working_together(
    referral: Referral, side: Side | None, lists: PageLists, forms: dict[str, Any]
) -> dict[str, Any]:
    """The thread's form, the assignment form of the user's side, and forwarding."""
    if side is None:
        return {"side": None}
    current = referral.sender_assignee_id if side is Side.SENDER else referral.receiver_assignee_id
    staff_list = [(member.id, member.name or "") for member in lists.staff]
    context: dict[str, Any] = {
        "side": side,
        "thread": lists.thread,
        "message_form": forms.get("message") or MessageForm(formdata=None),
        "assign_form": AssignForm(formdata=None, assignee=str(current) if current else "").offering(
            staff_list
        ),
        "forward_form": None,
    }
    if _may_forward(referral, side):
        own = [p for p in lists.programs if p.organization_id == referral.receiving_organization_id]
        if own:
            form = forms.get("forward") or ForwardForm(formdata=None, version=referral.version)
            form.program.choices = [SelectChoice("", ""), *_choices(own)]
            context["forward_form"] = form
    return context


def render_page(
    referral: Referral,
    *,
    status: int = 200,
    send_form: SendForm | None = None,
    errors: dict[str, str] | None = None,
    consent_missing: bool = False,
    forms: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    """The referral page, with the forms of the actions open to this user; ``forms`` and
    ``errors`` carry a refused form back with its message."""
    user = staff()
    actions = access.actions_for(user, referral)
    side = side_of(user, referral)
    suggests = any(t.takes_suggestion for t in actions)
    lists = page_lists(referral, side, programs=suggests or _may_forward(referral, side))
    suggestions = _choices(lists.programs) if suggests else []
    action_forms = {
        t.action: ActionForm(formdata=None, version=referral.version).for_transition(t, suggestions)
        for t in actions
        if t.action != "send"
    }
    if send_form is None and any(t.action == "send" for t in actions):
        send_form = SendForm(
            formdata=None,
            version=referral.version,
            priority=PRIORITY_FOR_URGENCY[referral.intake.urgency].value,
        )
    next_matches = []
    is_sender = access.is_sender(user, referral)
    if (
        referral.status == ReferralStatus.REJECTED
        and referral.decline_reason == DeclineReason.NO_CAPACITY
        and is_sender
    ):
        ranked = match_intake(referral.intake).ranked
        next_matches = [row for row in ranked if row.program.id != referral.program_id][:3]
    return render_template(
        "lifecycle/detail.html",
        referral=referral,
        actions=actions,
        forms=action_forms,
        send_form=send_form,
        errors=errors or {},
        next_matches=next_matches,
        is_sender=is_sender,
        consent_missing=consent_missing,
        now=utcnow(),
        timeline=lists.timeline,
        **_working_together(referral, side, lists, forms or {}),
    ), status
