"""Verbs on intakes and consent: record, edit, close, reopen, consent, revoke."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from referrals.access import can_manage_intakes, sees_client_records
from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import new_client_code, utcnow
from referrals.enums import AgeBand, CancelReason, Gender, Indicator, ServiceType, Urgency
from referrals.errors import InvalidInput, NotAllowed
from referrals.extensions import db
from referrals.identifiers import describe, find_identifiers
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.services import cancel_uncovered
from referrals.localtime import local_date
from referrals.programs.models import Organization


class IntakeError(InvalidInput):
    """Input that cannot be saved; the message says why."""


def _checked_codes(values: Sequence[str], enum_class: type[enum.Enum], what: str) -> list[str]:
    allowed = {member.value for member in enum_class}
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise IntakeError(_("Unknown %(what)s: %(codes)s", what=what, codes=", ".join(unknown)))
    return list(dict.fromkeys(values))  # unique, in the order given


def _checked_note(note: str) -> str:
    note = note.strip()
    findings = find_identifiers(note)
    if findings:
        raise IntakeError(describe(findings))
    return note


def _new_unique_client_code() -> str:
    # 31^8 codes make a clash vanishingly rare; checking costs one indexed lookup.
    while True:
        code = new_client_code()
        if not db.session.scalar(sa.select(sa.exists().where(Intake.client_code == code))):
            return code


@dataclass(frozen=True)
class IntakeFields:
    """What a caseworker records about a client: codes, and one checked note."""

    age_band: AgeBand
    gender: Gender
    languages: Sequence[str]
    county: str
    needs: Sequence[str]
    urgency: Urgency
    indicators: Sequence[str] = ()
    situation_note: str = ""


def create_intake(*, by: User, fields: IntakeFields) -> Intake:
    """Record an anonymized intake for the user's organization."""
    if not can_manage_intakes(by):
        raise NotAllowed("only caseworkers and supervisors of a referring organization")
    if not sees_client_records(by):
        raise IntakeError(
            _(
                "Your account is waiting for a supervisor of your organization to confirm it. "
                "You can record intakes once it is confirmed."
            )
        )
    intake = Intake(
        client_code=_new_unique_client_code(),
        organization_id=by.organization_id,
        created_by_id=by.id,
        assignee_id=by.id,
    )
    _apply(intake, fields)
    db.session.add(intake)
    db.session.flush()
    audit.record("intake.created", actor=by, object_type="intake", object_id=intake.id)
    return intake


def update_intake(intake: Intake, *, by: User, fields: IntakeFields) -> None:
    """Change an open intake's coded fields and note."""
    if not intake.is_open:
        raise IntakeError(_("This intake is closed. Reopen it to make changes."))
    _apply(intake, fields)
    db.session.flush()
    audit.record("intake.updated", actor=by, object_type="intake", object_id=intake.id)


def _apply(intake: Intake, fields: IntakeFields) -> None:
    if not fields.needs:
        raise IntakeError(_("Choose at least one need."))
    if not fields.county.strip():
        raise IntakeError(_("Choose a county."))
    intake.age_band = AgeBand(fields.age_band)
    intake.gender = Gender(fields.gender)
    intake.languages = list(dict.fromkeys(language.strip() for language in fields.languages))
    intake.county = fields.county.strip()
    intake.needs = _checked_codes(fields.needs, ServiceType, _("need"))
    intake.urgency = Urgency(fields.urgency)
    intake.indicators = _checked_codes(fields.indicators, Indicator, _("indicator"))
    intake.situation_note = _checked_note(fields.situation_note)


def record_view(intake: Intake, *, by: User, page: str | None = None) -> None:
    """Audit a view of the intake's details (its page, or the ``page`` named: edit, consent)."""
    detail = {"page": page} if page else None
    audit.record(
        "intake.viewed", actor=by, object_type="intake", object_id=intake.id, detail=detail
    )


def close_intake(intake: Intake, *, by: User) -> None:
    """Close an intake; its coded fields stay for statistics."""
    if not intake.is_open:
        raise IntakeError(_("This intake is already closed."))
    intake.is_open = False
    intake.closed_at = utcnow()
    audit.record("intake.closed", actor=by, object_type="intake", object_id=intake.id)


def reopen_intake(intake: Intake, *, by: User) -> None:
    """Reopen a closed intake (not one whose notes were purged by retention)."""
    if intake.is_open:
        raise IntakeError(_("This intake is already open."))
    if intake.purged_at is not None:
        raise IntakeError(_("This intake's details were removed by the retention policy."))
    intake.is_open = True
    intake.closed_at = None
    audit.record("intake.reopened", actor=by, object_type="intake", object_id=intake.id)


def consent_expiry_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The default and the latest allowed expiry for consent given at ``now``."""
    config = current_app.config
    return (
        now + timedelta(days=config["CONSENT_DEFAULT_DAYS"]),
        now + timedelta(days=config["CONSENT_MAX_DAYS"]),
    )


def record_consent(
    intake: Intake,
    *,
    by: User,
    organization_ids: Sequence[int],
    expires_at: datetime,
    guardian_consent: bool = False,
    guardian_relationship: str = "",
) -> Consent:
    """Record written consent to share the intake with the chosen receiving organizations."""
    now = utcnow()
    if not intake.is_open:
        raise IntakeError(_("This intake is closed; consent cannot be recorded."))
    _default, latest = consent_expiry_bounds(now)
    if expires_at <= now:
        raise IntakeError(_("The expiry must be in the future."))
    # Consent runs to the end of its last day, so the limit is a day, not an instant.
    if local_date(expires_at) > local_date(latest):
        raise IntakeError(
            _(
                "Consent can last at most %(days)d days.",
                days=current_app.config["CONSENT_MAX_DAYS"],
            )
        )
    if intake.age_band.is_minor and not guardian_consent:
        raise IntakeError(
            _(
                "This client is a minor: record the consent of a parent, guardian or legal "
                "representative as well."
            )
        )
    wanted = set(organization_ids)
    organizations = list(
        db.session.scalars(
            sa.select(Organization).where(
                Organization.id.in_(wanted),
                Organization.active.is_(True),
                Organization.receives.is_(True),
            )
        )
    )
    if not wanted or len(organizations) != len(wanted):
        raise IntakeError(_("Choose receiving organizations from the list."))
    consent = Consent(
        intake=intake,
        given_at=now,
        expires_at=expires_at,
        recorded_by_id=by.id,
        guardian_consent=guardian_consent,
        guardian_relationship=_checked_note(guardian_relationship) if guardian_consent else "",
        organizations=organizations,
    )
    db.session.add(consent)
    db.session.flush()
    audit.record(
        "consent.recorded",
        actor=by,
        object_type="intake",
        object_id=intake.id,
        detail={
            "consent_id": consent.id,
            "organization_ids": sorted(wanted),
            "expires_at": expires_at.isoformat(),
            "guardian": guardian_consent,
        },
    )
    return consent


def extend_consent(intake: Intake, *, by: User, organization_id: int) -> Consent:
    """The client agreed to share with one more organization: a consent naming it, for the
    same period as (and with the guardian of) the latest active consent."""
    now = utcnow()
    active = [consent for consent in intake.consents if consent.is_active_at(now)]
    if not active:
        raise IntakeError(_("There is no active consent to extend: record consent first."))
    latest = max(active, key=lambda consent: consent.expires_at)
    if any(consent.covers(organization_id, now) for consent in active):
        raise IntakeError(_("The client's consent already covers this organization."))
    return record_consent(
        intake,
        by=by,
        organization_ids=[organization_id],
        expires_at=latest.expires_at,
        guardian_consent=latest.guardian_consent,
        guardian_relationship=latest.guardian_relationship,
    )


def revoke_consent(consent: Consent, *, by: User) -> None:
    """Withdraw consent from now on (the lifecycle cancels referrals it no longer covers)."""
    if consent.revoked_at is not None:
        raise IntakeError(_("This consent was already revoked."))
    consent.revoked_at = utcnow()
    consent.revoked_by_id = by.id
    audit.record(
        "consent.revoked",
        actor=by,
        object_type="intake",
        object_id=consent.intake_id,
        detail={"consent_id": consent.id},
    )
    db.session.flush()
    # Sharing stops now: referrals to organizations no other consent covers are cancelled.
    cancel_uncovered(consent.intake, reason=CancelReason.CONSENT_REVOKED, by=by)
