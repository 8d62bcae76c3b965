"""The guard on every free-text field that can carry client information (issue #18).

The situation note, the guardian's role on a consent, the note to the partner and the notes
of referral actions (decline, cancel, close...): each refuses a disguised identifier, with a
message naming it, and writes nothing. A new form field of free text is caught by the first
test until it either carries ``NoIdentifiers`` or is listed here with the reason it cannot
hold client information.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields import HiddenField, PasswordField

from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import AgeBand, ReferralStatus, Role
from referrals.extensions import db
from referrals.identifiers import NoIdentifiers
from referrals.intake.models import Consent, Intake
from referrals.lifecycle import services
from referrals.lifecycle.models import Referral
from referrals.programs.models import Program
from tests.test_intake import GOOD

FORM_MODULES = (
    "admin",
    "audit",
    "auth",
    "intake",
    "lifecycle",
    "notifications",
    "programs",
    "tokens",
    "webhooks",
)
# Free text that cannot hold client information, and why.
NOT_CLIENT_TEXT = {
    "referrals.admin.forms": "an organization's or program's public directory entry, staff",
    "referrals.auth.forms": "sign-in credentials and codes",
    "referrals.audit.forms": "a filter on the audit trail, never saved",
    "referrals.webhooks.forms": "a partner system's web address",
}
GUARDED = {
    ("IntakeForm", "situation_note"),
    ("ConsentForm", "guardian_relationship"),
    ("ActionForm", "note"),
    ("SendForm", "note"),
    ("MessageForm", "body"),  # the thread between the two organizations (issue #19)
    ("ForwardForm", "note"),
    ("ReferForm", "note"),
    # What an API token is for: nobody should name a client there, so the guard stands.
    ("NewTokenForm", "name"),
}


def _forms(cls: type = FlaskForm) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _forms(sub)


def test_every_free_text_field_about_clients_carries_the_guard() -> None:
    for module in FORM_MODULES:
        importlib.import_module(f"referrals.{module}.forms")
    guarded = set()
    for form in _forms():
        if form.__module__ in NOT_CLIENT_TEXT or not form.__module__.startswith("referrals."):
            continue
        for name in dir(form):
            field = getattr(form, name)
            field_class = getattr(field, "field_class", None)
            if field_class is None or not issubclass(field_class, StringField):
                continue
            if issubclass(field_class, (HiddenField, PasswordField)):
                continue
            validators = field.kwargs.get("validators") or []
            assert any(isinstance(v, NoIdentifiers) for v in validators), (form, name)
            guarded.add((form.__name__, name))
    assert guarded == GUARDED


def _intakes(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Intake))


@pytest.mark.parametrize(
    ("note", "quoted"),
    [
        ("Su cel es nueve uno tres, cinco cinco cinco, cero uno dos dos.", "nueve uno tres"),
        ("her IG is lil.kay.816, buyers find her there", "lil.kay.816"),
    ],
)
def test_situation_note_refuses_a_disguised_identifier(app, login_as, note, quoted) -> None:
    client, _ = login_as(Role.CASEWORKER)
    response = client.post("/intakes/new", data={**GOOD, "situation_note": note})
    assert response.status_code == 400
    assert quoted in response.get_data(as_text=True)
    assert _intakes(app) == 0


def test_guardian_role_refuses_a_name(app, make_org, make_intake, login_as) -> None:
    receiver = make_org(name="Receiving Partner", refers=False)
    client, user = login_as(Role.CASEWORKER)
    intake = make_intake(by=user, age_band=AgeBand.AGE_14_15)
    response = client.post(
        f"/intakes/{intake.client_code}/consent",
        data={
            "organization_ids": [receiver.id],
            "expires_on": (utcnow() + timedelta(days=30)).date().isoformat(),
            "written_confirmed": "y",
            "guardian_consent": "y",
            "guardian_relationship": "su tía, doña Chencha",
        },
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "doña Chencha" in body
    assert "a personal name" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


@pytest.fixture
def draft(app, make_org, make_program, make_intake, make_user):
    """A draft referral of a caseworker's intake, and the caseworker."""
    caseworker = make_user(Role.CASEWORKER)
    program = make_program(org=make_org(refers=False))
    intake = make_intake(by=caseworker)
    with app.app_context():
        referral = services.create_draft(
            db.session.get(Intake, intake.id),
            db.session.get(Program, program.id),
            by=db.session.get(User, caseworker.id),
        )
        db.session.commit()
        return referral.id, caseworker.id


@pytest.mark.parametrize(
    ("action", "reason", "note", "kind"),
    [
        ("send", None, "Placa KCV 4821, la recoge el tratante.", "a license plate"),
        ("send", None, "Her A-number is 205 118 432.", "an ID document number"),
        ("cancel", "client_declined", "case # 23JU-0456 moved to another county", "case number"),
        ("cancel", "client_declined", "Se mudó con su novio brayan gutiérrez.", "a personal name"),
    ],
)
def test_referral_notes_refuse_a_disguised_identifier(app, draft, action, reason, note, kind):
    referral_id, caseworker_id = draft
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        with pytest.raises(services.ReferralError, match=kind):
            services.act(
                referral, action, by=db.session.get(User, caseworker_id), reason=reason, note=note
            )
        db.session.rollback()
        referral = db.session.get(Referral, referral_id)
        assert referral.status == ReferralStatus.DRAFT
        assert referral.note == ""
