"""The demo coalition from the seed article: ``flask seed-demo`` and the function behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from referrals import demo_data as data
from referrals.audit import services as audit
from referrals.auth.mfa import MFA_REQUIRED_ROLES
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.db_types import new_client_code, utcnow
from referrals.enums import CancelReason, DeclineReason, OutcomeCode, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Notification, Referral, ReferralEvent
from referrals.programs.models import Organization, Program

# Published on purpose (printed by `make run`): it only ever opens invented demo accounts.
DEMO_PASSWORD = "demo-coalition-2026"  # noqa: S105
# Supervisors and admins must use two-step sign-in; the demo ones share a published key
# (add it to any authenticator app; the sign-in page of a demo account also shows the code).
DEMO_TOTP_SECRET = data.DEMO_TOTP_SECRET
_ORG_NAMES = {org.slug: org.name for org in data.ORGANIZATIONS}
DEMO_LOGINS: list[tuple[str, Role, str]] = [
    (user.email, user.role, _ORG_NAMES[user.organization]) for user in data.USERS
]
DEMO_SLUGS = frozenset(_ORG_NAMES)


class DemoSeedError(Exception):
    """The database is not one the demo coalition may be written into."""


@dataclass(frozen=True)
class SeedResult:
    """What a run did: ``created`` is False when the demo data was already there."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def seed_demo_data(*, force: bool = False) -> SeedResult:
    """Write the whole demo coalition in one committed transaction, or nothing at all."""
    if _demo_present():
        return SeedResult(created=False)
    _check_database(force=force)
    try:
        counts = _Seeder(utcnow()).run()
        audit.record("demo.seeded", object_type="demo", detail=counts)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return SeedResult(created=True, counts=counts)


def _demo_present() -> bool:
    """True when every demo organization exists; a partial demo is an error."""
    found = set(
        db.session.scalars(
            sa.select(Organization.slug).where(
                Organization.slug.in_(DEMO_SLUGS), Organization.is_demo.is_(True)
            )
        )
    )
    if found and found != DEMO_SLUGS:
        missing = ", ".join(sorted(DEMO_SLUGS - found))
        raise DemoSeedError(
            f"Only part of the demo coalition is present (missing: {missing}). "
            "Start from an empty database and run seed-demo again."
        )
    return bool(found)


def _check_database(*, force: bool) -> None:
    """Refuse to mix demo records into real data unless forced, and never clash with it.

    Only in development (and tests), forced or not: the demo admins have a published
    password and key.
    """
    if not current_app.config.get("DEMO_ALLOWED"):
        raise DemoSeedError(
            "The demo coalition is loaded only in development (REFERRALS_CONFIG=development), "
            "never in production: its accounts have a published password and two-step key."
        )
    orgs = db.session.scalar(
        sa.select(sa.func.count()).select_from(Organization).where(~Organization.is_demo)
    )
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(~User.is_demo))
    if (orgs or users) and not force:
        raise DemoSeedError(
            f"The database already holds {orgs} non-demo organization(s) and {users} non-demo "
            "user(s); refusing to mix invented demo records into real data. "
            "Use --force to add the demo coalition alongside them."
        )
    names = {org.name for org in data.ORGANIZATIONS}
    emails = {user.email for user in data.USERS}
    clashes = [
        *db.session.scalars(
            sa.select(Organization.name).where(
                sa.or_(Organization.name.in_(names), Organization.slug.in_(DEMO_SLUGS))
            )
        ),
        *db.session.scalars(sa.select(User.email).where(sa.func.lower(User.email).in_(emails))),
    ]
    if clashes:
        raise DemoSeedError(
            "Existing records already use demo names or e-mail addresses: "
            + ", ".join(sorted(clashes))
        )


class _Seeder:
    """Builds every demo row relative to one moment, keeping lookups by their data keys."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.orgs: dict[str, Organization] = {}
        self.programs: dict[str, Program] = {}
        self.users: dict[str, User] = {}
        self.intakes: dict[str, Intake] = {}
        self.referrals: dict[str, Referral] = {}
        self.counts: dict[str, int] = {}

    def ago(self, hours: float) -> datetime:
        """The moment ``hours`` before seeding."""
        return self.now - timedelta(hours=hours)

    def run(self) -> dict[str, int]:
        """Add everything, flush, and return the number of rows per kind."""
        for org_spec in data.ORGANIZATIONS:
            self._organization(org_spec)
        for user_spec in data.USERS:
            self._user(user_spec)
        db.session.flush()  # consents refer to their revoker by id only
        for intake_spec in data.INTAKES:
            self._intake(intake_spec)
        for referral_spec in data.REFERRALS:
            self._referral(referral_spec)
        for note_spec in data.NOTIFICATIONS:
            self._notification(note_spec)
        db.session.flush()
        return self.counts

    def _count(self, kind: str) -> None:
        """Tally one more row of ``kind`` for the summary and the audit event."""
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def _add(self, kind: str, row: object) -> None:
        """Add a row to the session and tally it."""
        db.session.add(row)
        self._count(kind)

    def _organization(self, spec: data.OrganizationSpec) -> None:
        """One organization and its programs."""
        org = Organization(
            name=spec.name,
            slug=spec.slug,
            description=spec.description,
            phone=spec.phone,
            refers=spec.refers,
            receives=spec.receives,
            is_demo=True,
            created_at=self.ago(60 * data.DAY),
        )
        self._add("organizations", org)
        self.orgs[spec.slug] = org
        for p in spec.programs:
            program = Program(
                organization=org,
                name=p.name,
                description=p.description,
                service_types=[service.value for service in p.service_types],
                min_age=p.min_age,
                max_age=p.max_age,
                genders_served=[gender.value for gender in p.genders],
                languages=list(p.languages),
                counties_served=list(p.counties),
                eligibility_description=p.eligibility,
                capacity_available=p.capacity_available,
                capacity_maximum=p.capacity_maximum,
                capacity_unit=p.capacity_unit,
                capacity_updated_at=(
                    None
                    if p.capacity_updated_hours_ago is None
                    else self.ago(p.capacity_updated_hours_ago)
                ),
                waitlist_accepted=p.waitlist_accepted,
                length_of_stay_days=p.length_of_stay_days,
                response_time_hours=p.response_time_hours,
                application_process=p.application_process,
                required_documents=p.required_documents,
                status=p.status,
                confidential_location=p.confidential_location,
                created_at=self.ago(60 * data.DAY),
                updated_at=self.ago(p.capacity_updated_hours_ago or 60 * data.DAY),
            )
            self._add("programs", program)
            self.programs[p.name] = program

    def _user(self, spec: data.UserSpec) -> None:
        """A demo account with the shared demo password."""
        user = User(
            email=spec.email,
            display_name=spec.display_name,
            role=spec.role,
            organization=self.orgs[spec.organization],
            password_hash=hash_password(DEMO_PASSWORD),
            must_change_password=False,
            is_demo=True,
            created_at=self.ago(60 * data.DAY),
        )
        if spec.role in MFA_REQUIRED_ROLES:
            user.totp_secret = DEMO_TOTP_SECRET
            user.mfa_enrolled_at = self.ago(60 * data.DAY)
        self._add("users", user)
        self.users[spec.email] = user

    def _intake(self, spec: data.IntakeSpec) -> None:
        """An intake and, where the data has one, its consent."""
        created = self.ago(spec.created_hours_ago)
        creator = self.users[spec.created_by]
        intake = Intake(
            client_code=new_client_code(),
            organization=self.orgs[spec.organization],
            created_by=creator,
            age_band=spec.age_band,
            gender=spec.gender,
            languages=list(spec.languages),
            county=spec.county,
            needs=[need.value for need in spec.needs],
            urgency=spec.urgency,
            indicators=[indicator.value for indicator in spec.indicators],
            situation_note=spec.situation_note,
            created_at=created,
            updated_at=created,
        )
        self._add("intakes", intake)
        self.intakes[spec.key] = intake
        if spec.consent is None:
            return
        c = spec.consent
        given = self.ago(c.given_hours_ago)
        revoked = None if c.revoked_hours_ago is None else self.ago(c.revoked_hours_ago)
        consent = Consent(
            intake=intake,
            method="written",
            given_at=given,
            expires_at=given + timedelta(days=c.valid_days),
            revoked_at=revoked,
            revoked_by_id=None if revoked is None else creator.id,
            recorded_by=creator,
            guardian_consent=bool(c.guardian_relationship),
            guardian_relationship=c.guardian_relationship,
            organizations=[self.orgs[slug] for slug in c.organizations],
        )
        self._add("consents", consent)

    def _referral(self, spec: data.ReferralSpec) -> None:
        """A referral with its milestones and a timeline that walks the allowed path."""
        intake = self.intakes[spec.intake]
        program = self.programs[spec.program]
        sender = intake.created_by
        created = self.ago(spec.created_hours_ago)
        referral = Referral(
            intake=intake,
            program=program,
            receiving_organization=program.organization,
            sending_organization=intake.organization,
            sent_by=sender,
            status=ReferralStatus.DRAFT,
            priority=spec.priority,
            note=spec.note,
            created_at=created,
            updated_at=created,
        )
        events: list[ReferralEvent] = []
        for step in spec.steps:
            at = self.ago(step.hours_ago)
            events.append(
                ReferralEvent(
                    occurred_at=at,
                    actor=self._actor(step.to, referral),
                    kind="status_change",
                    from_status=referral.status,
                    to_status=step.to,
                    reason=step.reason,
                    note=step.note,
                )
            )
            _apply_milestone(referral, step, at)
            referral.updated_at = at
        if spec.viewed_hours_ago is not None:
            referral.first_viewed_at = self.ago(spec.viewed_hours_ago)
            events.append(
                ReferralEvent(
                    occurred_at=referral.first_viewed_at,
                    actor=self._staff(referral.receiving_organization, Role.PARTNER),
                    kind="read_receipt",
                )
            )
        self._add("referrals", referral)
        self._count(f"referrals_{referral.status.value}")
        # The timeline is read in id order, so events go in by time.
        for event in sorted(events, key=lambda e: e.occurred_at):
            event.referral = referral
            self._add("referral_events", event)
        self.referrals[spec.key] = referral

    def _actor(self, to: ReferralStatus, referral: Referral) -> User:
        """Who makes a move (DESIGN §4): the sender, the sender's supervisor, or the receiver."""
        if to in {ReferralStatus.REQUESTED, ReferralStatus.CANCELLED}:
            return referral.sent_by
        if to == ReferralStatus.ENTERED_IN_ERROR:
            return self._staff(referral.sending_organization, Role.SUPERVISOR)
        return self._staff(referral.receiving_organization, Role.PARTNER)

    def _staff(self, org: Organization, role: Role) -> User:
        """The first demo user of ``role`` in ``org``."""
        return next(u for u in self.users.values() if u.organization is org and u.role == role)

    def _notification(self, spec: data.NotificationSpec) -> None:
        """An in-app notification about one of the demo referrals."""
        self._add(
            "notifications",
            Notification(
                recipient=self.users[spec.recipient],
                referral=self.referrals[spec.referral],
                kind=spec.kind,
                action=spec.action,
                created_at=self.ago(spec.created_hours_ago),
                read_at=None if spec.read_hours_ago is None else self.ago(spec.read_hours_ago),
                # Invented history: the first sweep must not e-mail it to the demo accounts.
                emailed_at=self.ago(spec.created_hours_ago),
            ),
        )


def _apply_milestone(referral: Referral, step: data.Step, at: datetime) -> None:
    """Set the status and the milestone timestamp (and coded reason) a move records."""
    referral.status = step.to
    code = step.reason or ""  # a terminal move without its code fails loudly below
    match step.to:
        case ReferralStatus.REQUESTED:
            referral.sent_at = at
            referral.response_due_at = at + timedelta(hours=referral.program.response_time_hours)
        case ReferralStatus.ACCEPTED:
            referral.responded_at = referral.responded_at or at
            referral.accepted_at = at
        case ReferralStatus.REJECTED:
            referral.responded_at = referral.responded_at or at
            referral.decline_reason = DeclineReason(code)
            referral.closed_at = at
        case ReferralStatus.IN_PROGRESS:
            referral.enrolled_at = referral.enrolled_at or at
        case ReferralStatus.ON_HOLD:
            referral.responded_at = referral.responded_at or at
        case ReferralStatus.COMPLETED | ReferralStatus.FAILED:
            referral.outcome = OutcomeCode(code)
            referral.closed_at = at
        case ReferralStatus.CANCELLED:
            referral.cancel_reason = CancelReason(code)
            referral.closed_at = at
        case ReferralStatus.ENTERED_IN_ERROR:
            referral.closed_at = at


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Write even if the database holds non-demo data.")
@with_appcontext
def seed_demo(force: bool) -> None:
    """Load the demo coalition (idempotent)."""
    try:
        result = seed_demo_data(force=force)
    except DemoSeedError as error:
        raise click.ClickException(str(error)) from error
    if result.created:
        c = result.counts
        click.echo(
            f"Seeded the demo coalition: {c['organizations']} organizations, "
            f"{c['programs']} programs, {c['users']} users, {c['intakes']} intakes, "
            f"{c['referrals']} referrals."
        )
    else:
        click.echo("The demo data is already present; nothing was changed.")
    click.echo(f"Demo sign-ins (every account's password is {DEMO_PASSWORD}):")
    click.echo(
        f"  supervisors and admins also need a code: authenticator key {DEMO_TOTP_SECRET}"
        " (the code is shown on a demo account's second sign-in step)"
    )
    for email, role, org_name in DEMO_LOGINS:
        click.echo(f"  {email:<32} {role.value:<11} {org_name}")
    click.echo("These accounts and records are invented: never enter real client data here.")
