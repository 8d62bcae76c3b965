"""Shared set-up for the token routes' tests: tokens, referrals with consent, headers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from referrals.enums import AgeBand, Gender, Indicator, ReferralStatus, Role, TokenScope, Urgency
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization
from referrals.tokens.models import ApiToken
from referrals.tokens.services import digest

SITUATION_NOTE = "Left a controlling situation last week; sleeps at a friend's."


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_token(
    app: Flask,
    org: Organization,
    maker_id: int,
    *,
    role: Role = Role.PARTNER,
    scope: TokenScope = TokenScope.ACT,
    days: int = 30,
) -> str:
    """A live token of ``org`` made by ``maker_id`` (a supervisor); returns its value."""
    secret = "kcr_" + secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(
            ApiToken(
                organization_id=org.id,
                created_by_id=maker_id,
                name=f"{role.value} system",
                token_hash=digest(secret),
                prefix=secret[:12],
                role=role,
                scope=scope,
                expires_at=datetime.now(UTC) + timedelta(days=days),
            )
        )
        db.session.commit()
    return secret


@dataclass
class Side:
    """One organization with its supervisor, caseworker, program and tokens."""

    org: Organization
    supervisor_id: int
    caseworker_id: int
    program_id: int
    partner_token: str
    caseworker_token: str
    supervisor_token: str


def make_side(app: Flask, make_org: Any, make_user: Any, make_program: Any, name: str) -> Side:
    org = make_org(name=f"{name} Organization")
    supervisor = make_user(Role.SUPERVISOR, org=org)
    caseworker = make_user(Role.CASEWORKER, org=org)
    program = make_program(org=org, confidential_location="12 Hidden Lane, Safe House")
    return Side(
        org=org,
        supervisor_id=supervisor.id,
        caseworker_id=caseworker.id,
        program_id=program.id,
        partner_token=make_token(app, org, supervisor.id, role=Role.PARTNER),
        caseworker_token=make_token(app, org, supervisor.id, role=Role.CASEWORKER),
        supervisor_token=make_token(app, org, supervisor.id, role=Role.SUPERVISOR),
    )


def send_referral(
    app: Flask,
    sender: Side,
    receiver: Side,
    *,
    status: ReferralStatus = ReferralStatus.REQUESTED,
    consent: bool = True,
) -> str:
    """A referral from ``sender``'s intake to ``receiver``'s program; returns its public id."""
    with app.app_context():
        now = datetime.now(UTC)
        intake = Intake(
            organization_id=sender.org.id,
            created_by_id=sender.caseworker_id,
            age_band=AgeBand.AGE_25_34,
            gender=Gender.FEMALE,
            languages=["English", "Spanish"],
            county="Jackson County, MO",
            needs=["counseling"],
            urgency=Urgency.URGENT,
            indicators=[Indicator.DEBT_BONDAGE.value],
            situation_note=SITUATION_NOTE,
        )
        db.session.add(intake)
        db.session.flush()
        if consent:
            db.session.add(
                Consent(
                    intake_id=intake.id,
                    given_at=now - timedelta(minutes=1),
                    expires_at=now + timedelta(days=30),
                    recorded_by_id=sender.caseworker_id,
                    organizations=[db.session.get(Organization, receiver.org.id)],
                )
            )
        sent = status != ReferralStatus.DRAFT
        referral = Referral(
            intake_id=intake.id,
            program_id=receiver.program_id,
            receiving_organization_id=receiver.org.id,
            sending_organization_id=sender.org.id,
            sent_by_id=sender.caseworker_id,
            status=status,
            note="Please call back through the outreach line." if sent else "",
            sent_at=now if sent else None,
            response_due_at=now + timedelta(hours=72) if sent else None,
        )
        db.session.add(referral)
        db.session.commit()
        return referral.public_id
