"""A large synthetic coalition for load tests and dashboard benchmarks (``python -m
bench.generate --referrals N``; bench/databases.py fills the benchmark databases with it).
It is a developer's tool, not part of the app: a production installation has no command
that writes synthetic data.

Everything it writes is marked as demo data and named plainly ("Load Test Partner 07"); it
holds codes and timestamps only, never free text. Rows go in with bulk statements (``COPY``
on PostgreSQL, batched Core ``INSERT`` elsewhere), so a million referrals load in minutes.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.db_types import CODE_ALPHABET, utcnow
from referrals.enums import (
    AgeBand,
    CancelReason,
    DeclineReason,
    Gender,
    OutcomeCode,
    ProgramStatus,
    ReferralStatus,
    Role,
    ServiceType,
    Urgency,
)
from referrals.extensions import db
from referrals.intake.models import Consent, Intake, consent_organizations
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization, Program

ORG_PREFIX = "Load Test Partner"
ORGANIZATIONS = 12
PROGRAMS = 40
BATCH = 20_000
COUNTIES = ("Jackson County, MO", "Clay County, MO", "Platte County, MO", "Johnson County, KS")
LANGUAGES = (["English"], ["English"], ["English", "Spanish"], ["Spanish"])
SERVICES = [s.value for s in ServiceType]
AGE_BANDS = [a.value for a in AgeBand if not a.is_minor] + [AgeBand.AGE_16_17.value]
GENDERS = [g.value for g in Gender]
PRIORITIES = ["routine"] * 8 + ["urgent", "asap"]
URGENCIES = [Urgency.ROUTINE.value] * 2 + [Urgency.URGENT.value, Urgency.EMERGENCY.value]
BASE = len(CODE_ALPHABET)
PUBLIC_ID_SPACE = BASE**16
CLIENT_CODE_SPACE = BASE**8

# What eventually becomes of a referral (cut short by "now" for the recent ones).
PATHS = (
    ("completed", 30),
    ("rejected", 22),
    ("failed", 8),
    ("cancelled", 8),
    ("in_progress", 7),
    ("unanswered", 6),
    ("on_hold", 3),
    ("draft", 2),
    ("entered_in_error", 1),
)
PATH_NAMES = [name for name, _ in PATHS]
PATH_WEIGHTS = [weight for _, weight in PATHS]
DECLINES = [r.value for r in DeclineReason]
DECLINE_WEIGHTS = [30, 25, 12, 10, 10, 5, 3, 5]
FAILED_OUTCOMES = [
    OutcomeCode.CLIENT_LEFT.value,
    OutcomeCode.LOST_CONTACT.value,
    OutcomeCode.TRANSFERRED.value,
    OutcomeCode.SAFETY_CONCERN.value,
    OutcomeCode.OTHER.value,
]
CANCELS = [
    CancelReason.CLIENT_DECLINED.value,
    CancelReason.NEED_MET_ELSEWHERE.value,
    CancelReason.SENT_IN_ERROR.value,
    CancelReason.OTHER.value,
]

REFERRAL_COLUMNS = (
    "public_id",
    "intake_id",
    "program_id",
    "receiving_organization_id",
    "sending_organization_id",
    "sent_by_id",
    "status",
    "priority",
    "note",
    "response_due_at",
    "created_at",
    "sent_at",
    "first_viewed_at",
    "responded_at",
    "accepted_at",
    "enrolled_at",
    "closed_at",
    "updated_at",
    "decline_reason",
    "cancel_reason",
    "outcome",
    "version",
)
INTAKE_COLUMNS = (
    "id",
    "client_code",
    "organization_id",
    "created_by_id",
    "age_band",
    "gender",
    "languages",
    "county",
    "needs",
    "urgency",
    "indicators",
    "situation_note",
    "is_open",
    "closed_at",
    "created_at",
    "updated_at",
)
CONSENT_COLUMNS = (
    "id",
    "intake_id",
    "method",
    "given_at",
    "expires_at",
    "revoked_at",
    "recorded_by_id",
    "guardian_consent",
    "guardian_relationship",
)
# Serial ids were given explicitly on PostgreSQL: move the sequences past them.
RESET_SEQUENCES = (
    "SELECT setval(pg_get_serial_sequence('intakes', 'id'), "
    "(SELECT COALESCE(MAX(id), 1) FROM intakes))",
    "SELECT setval(pg_get_serial_sequence('consents', 'id'), "
    "(SELECT COALESCE(MAX(id), 1) FROM consents))",
)


class GenerateError(Exception):
    """The database is not one load-test data may be written into."""


@dataclass
class LoadResult:
    """What a run wrote, and how fast."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    hub_organization_id: int = 0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _code(value: int, digits: int) -> str:
    chars = []
    for _ in range(digits):
        value, digit = divmod(value, BASE)
        chars.append(CODE_ALPHABET[digit])
    return "".join(chars)


def fast_public_id() -> str:
    """The format of ``new_public_id()`` (four dashed groups of four), from one random draw."""
    code = _code(secrets.randbits(88) % PUBLIC_ID_SPACE, 16)
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12:16]}"


def check_database(*, force: bool) -> None:
    """Refuse to mix invented load-test rows into real data unless forced."""
    orgs = db.session.scalar(
        sa.select(sa.func.count()).select_from(Organization).where(~Organization.is_demo)
    )
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(~User.is_demo))
    if (orgs or users) and not force:
        raise GenerateError(
            f"The database already holds {orgs} non-demo organization(s) and {users} non-demo "
            "user(s); refusing to mix invented load-test records into real data. "
            "Use --force to add them anyway."
        )


@dataclass
class _Partner:
    org_id: int
    user_id: int
    programs: list[tuple[int, int]] = field(default_factory=list)  # (program id, hours)


class _Generator:
    """Builds the coalition relative to one moment, with one seeded random source."""

    def __init__(self, referrals: int, seed: int, years: float, now: datetime) -> None:
        self.n = referrals
        self.rng = random.Random(seed)
        self.now = now
        self.start = now - timedelta(days=365.25 * years)
        self.span = (now - self.start).total_seconds()
        self.counts: dict[str, int] = {}
        self.senders: list[_Partner] = []
        self.receivers: list[_Partner] = []
        self.hub_id = 0

    # --- directory: organizations, staff, programs (a few dozen ORM rows) -------------------

    def directory(self) -> None:
        first = 1 + (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Organization)
                .where(Organization.name.like(f"{ORG_PREFIX} %"))
            )
            or 0
        )
        password_hash = hash_password(secrets.token_urlsafe(24))  # nobody knows it
        half = ORGANIZATIONS // 2
        partners: list[tuple[Organization, User, bool, bool]] = []
        for i in range(ORGANIZATIONS):
            number = first + i
            refers = i < half or i == half  # the first receiver also refers: the hub
            receives = i >= half
            org = Organization(
                name=f"{ORG_PREFIX} {number:02d}",
                slug=f"load-test-partner-{number:02d}",
                refers=refers,
                receives=receives,
                is_demo=True,
            )
            role = Role.CASEWORKER if refers else Role.PARTNER
            user = User(
                email=f"load-test-{number:02d}@load-test.example.org",
                display_name=f"Load test staff {number:02d}",
                role=role,
                organization=org,
                password_hash=password_hash,
                is_demo=True,
            )
            db.session.add_all([org, user])
            partners.append((org, user, refers, receives))
        db.session.flush()
        receiving = [(org, user) for org, user, _r, receives in partners if receives]
        programs: list[tuple[Program, int]] = []
        for p in range(PROGRAMS):
            org, _user = receiving[p % len(receiving)]
            hours = self.rng.choice((24, 48, 72, 72, 120))
            program = Program(
                organization_id=org.id,
                name=f"Load Test Program {p + 1:02d}",
                service_types=self.rng.sample(SERVICES, 2),
                capacity_available=self.rng.randint(0, 10),
                capacity_maximum=10,
                capacity_updated_at=self.now - timedelta(days=self.rng.randint(0, 60)),
                response_time_hours=hours,
                status=ProgramStatus.ACTIVE,
            )
            db.session.add(program)
            programs.append((program, hours))
        db.session.flush()
        by_org: dict[int, _Partner] = {}
        for org, user, refers, receives in partners:
            partner = by_org[org.id] = _Partner(org.id, user.id)
            if refers:
                self.senders.append(partner)
            if receives:
                self.receivers.append(partner)
        for program, hours in programs:
            by_org[program.organization_id].programs.append((program.id, hours))
        self.hub_id = partners[half][0].id
        self.counts.update(organizations=ORGANIZATIONS, users=ORGANIZATIONS, programs=PROGRAMS)

    # --- bulk rows --------------------------------------------------------------------------

    def _next_ids(self) -> tuple[int, int]:
        intake = db.session.scalar(sa.select(sa.func.max(Intake.id))) or 0
        consent = db.session.scalar(sa.select(sa.func.max(Consent.id))) or 0
        return intake + 1, consent + 1

    def rows(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """("intake" | "consent" | "consent_org" | "referral", row) in insertion order."""
        rng = self.rng
        intake_id, consent_id = self._next_ids()
        used_codes = set(db.session.scalars(sa.select(Intake.client_code)))
        n_intakes = max(1, self.n // 3)
        # Sorted moments: ids grow with time, as they do in a real database.
        moments = sorted(rng.random() for _ in range(n_intakes))
        remaining = self.n
        for index, fraction in enumerate(moments):
            left = n_intakes - index
            # Around three referrals per intake, steered so the total comes out at N.
            k = min(remaining, max(1, -(-remaining // left) + rng.randint(-2, 2)))
            created = self.start + timedelta(seconds=fraction * self.span)
            sender = rng.choice(self.senders)
            while True:
                code = "KC-" + _code(secrets.randbits(48) % CLIENT_CODE_SPACE, 8)
                code = f"{code[:7]}-{code[7:]}"
                if code not in used_codes:
                    used_codes.add(code)
                    break
            urgency = rng.choice(URGENCIES)
            yield (
                "intake",
                (
                    intake_id,
                    code,
                    sender.org_id,
                    sender.user_id,
                    rng.choice(AGE_BANDS),
                    rng.choice(GENDERS),
                    rng.choice(LANGUAGES),
                    rng.choice(COUNTIES),
                    rng.sample(SERVICES, rng.randint(1, 3)),
                    urgency,
                    [],
                    "",
                    True,
                    None,
                    created,
                    created,
                ),
            )
            receivers = [r for r in self.receivers if r.org_id != sender.org_id]
            chosen = rng.sample(receivers, min(3, len(receivers)))
            given = created + timedelta(minutes=rng.randint(5, 120))
            revoked = given + timedelta(days=rng.uniform(1, 60)) if rng.random() < 0.03 else None
            if revoked is not None and revoked > self.now:
                revoked = None
            yield (
                "consent",
                (
                    consent_id,
                    intake_id,
                    "written",
                    given,
                    given + timedelta(days=365 * 4),
                    revoked,
                    sender.user_id,
                    False,
                    "",
                ),
            )
            for receiver in chosen:
                yield "consent_org", (consent_id, receiver.org_id)
            options = [(r, p) for r in chosen for p in r.programs]
            for receiver, (program_id, hours) in rng.sample(options, min(k, len(options))):
                remaining -= 1
                referral_created = given + timedelta(hours=rng.uniform(0.1, 24 * 10))
                if referral_created > self.now:
                    referral_created = self.now - timedelta(seconds=rng.uniform(1, 600))
                yield (
                    "referral",
                    self._referral(
                        intake_id, program_id, hours, receiver, sender, referral_created
                    ),
                )
            intake_id += 1
            consent_id += 1
            if remaining <= 0:
                break

    def _referral(
        self,
        intake_id: int,
        program_id: int,
        hours: int,
        receiver: _Partner,
        sender: _Partner,
        created: datetime,
    ) -> tuple[Any, ...]:
        rng, now = self.rng, self.now
        path = rng.choices(PATH_NAMES, PATH_WEIGHTS)[0]
        sent = viewed = responded = accepted = enrolled = closed = due = None
        decline = cancel = outcome = None
        status = ReferralStatus.REQUESTED.value
        if path == "draft":
            status = ReferralStatus.DRAFT.value
        else:
            sent = created + timedelta(minutes=rng.uniform(1, 180))
            if sent > now:
                sent = now
            due = sent + timedelta(hours=hours)
            delay = timedelta(hours=rng.expovariate(1 / (hours * 0.6)))
            answer = sent + delay
            if rng.random() < 0.7 and sent + delay * rng.random() <= now:
                viewed = sent + delay * rng.random()
            if path in {"completed", "failed", "in_progress"}:
                start = answer + timedelta(hours=rng.uniform(12, 240))
                end = start + timedelta(days=rng.uniform(7, 180))
                if answer <= now:
                    status, responded, accepted = ReferralStatus.ACCEPTED.value, answer, answer
                    if start <= now:
                        status, enrolled = ReferralStatus.IN_PROGRESS.value, start
                        if end <= now and path != "in_progress":
                            closed = end
                            if path == "completed":
                                status = ReferralStatus.COMPLETED.value
                                outcome = OutcomeCode.SERVICE_COMPLETED.value
                            else:
                                status = ReferralStatus.FAILED.value
                                outcome = rng.choice(FAILED_OUTCOMES)
            elif path in {"rejected", "on_hold"}:
                if answer <= now:
                    responded = answer
                    if path == "rejected":
                        status = ReferralStatus.REJECTED.value
                        decline = rng.choices(DECLINES, DECLINE_WEIGHTS)[0]
                        closed = answer
                    else:
                        status = ReferralStatus.ON_HOLD.value
            elif path == "cancelled":
                end = sent + timedelta(days=rng.uniform(0.5, 30))
                if end <= now:
                    status, closed, cancel = (
                        ReferralStatus.CANCELLED.value,
                        end,
                        rng.choice(CANCELS),
                    )
            elif path == "unanswered":
                end = due + timedelta(days=14)
                if end <= now:
                    status, closed = ReferralStatus.CANCELLED.value, end
                    cancel = CancelReason.UNANSWERED.value
            else:  # entered in error
                end = sent + timedelta(hours=rng.uniform(0.1, 48))
                if end <= now:
                    status, closed = ReferralStatus.ENTERED_IN_ERROR.value, end
            if viewed is not None and responded is not None and viewed > responded:
                viewed = responded
        moments = [m for m in (created, sent, viewed, responded, enrolled, closed) if m]
        return (
            fast_public_id(),
            intake_id,
            program_id,
            receiver.org_id,
            sender.org_id,
            sender.user_id,
            status,
            rng.choice(PRIORITIES),
            "",
            due,
            created,
            sent,
            viewed,
            responded,
            accepted,
            enrolled,
            closed,
            max(moments),
            decline,
            cancel,
            outcome,
            1,
        )


# --- writers -------------------------------------------------------------------------------


class _BatchWriter:
    """Rows collected per table and written in batches, parents before children."""

    def __init__(self, tables: dict[str, tuple[Any, Sequence[str]]]) -> None:
        self.tables = tables
        self.rows: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in tables}

    def add(self, kind: str, row: tuple[Any, ...]) -> None:
        self.rows[kind].append(row)
        if len(self.rows[kind]) >= BATCH:
            self.flush(kind)

    def flush(self, kind: str) -> None:
        if not self.rows[kind]:
            return
        # Parents first: a child batch may name rows still waiting in a parent batch.
        for parent in self.tables:
            if parent == kind:
                break
            self.flush(parent)
        table, columns = self.tables[kind]
        self.write(table, columns, self.rows[kind])
        self.rows[kind] = []

    def close(self) -> None:
        for kind in self.tables:
            self.flush(kind)

    def write(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError


class _CopyWriter(_BatchWriter):
    """PostgreSQL: stream each table through ``COPY ... FROM STDIN``."""

    def __init__(self, tables: dict[str, tuple[Any, Sequence[str]]]) -> None:
        super().__init__(tables)
        connection = db.session.connection()
        self.cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def write(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                # JSON lists go in as their text.
                copy.write_row(tuple(json.dumps(v) if isinstance(v, list) else v for v in row))


class _InsertWriter(_BatchWriter):
    """Other databases: batched Core ``INSERT`` statements."""

    def write(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        db.session.execute(sa.insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def generate(
    referrals: int,
    *,
    seed: int = 1,
    years: float = 3.0,
    force: bool = False,
    now: datetime | None = None,
) -> LoadResult:
    """Write the synthetic coalition and ``referrals`` referrals in one transaction."""
    if referrals < 1:
        raise GenerateError("--referrals must be at least 1")
    check_database(force=force)
    began = time.perf_counter()
    generator = _Generator(referrals, seed, years, now or utcnow())
    dialect = db.session.get_bind().dialect.name
    try:
        generator.directory()
        if dialect == "postgresql":
            writer: _BatchWriter = _CopyWriter(
                {
                    "intake": ("intakes", INTAKE_COLUMNS),
                    "consent": ("consents", CONSENT_COLUMNS),
                    "consent_org": ("consent_organizations", ("consent_id", "organization_id")),
                    "referral": ("referrals", REFERRAL_COLUMNS),
                }
            )
        else:
            writer = _InsertWriter(
                {
                    "intake": (Intake.__table__, INTAKE_COLUMNS),  # type: ignore[dict-item]
                    "consent": (Consent.__table__, CONSENT_COLUMNS),  # type: ignore[dict-item]
                    "consent_org": (consent_organizations, ("consent_id", "organization_id")),
                    "referral": (Referral.__table__, REFERRAL_COLUMNS),  # type: ignore[dict-item]
                }
            )
        counts = dict.fromkeys(("intake", "consent", "consent_org", "referral"), 0)
        for kind, row in generator.rows():
            writer.add(kind, row)
            counts[kind] += 1
        writer.close()
        if dialect == "postgresql":
            # Serial ids were given explicitly: move the sequences past them.
            for statement in RESET_SEQUENCES:
                db.session.execute(sa.text(statement))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if dialect == "postgresql":
        # Fresh statistics for the planner, and a visibility map so index-only scans work.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("intakes", "consents", "consent_organizations", "referrals"):
                connection.execute(sa.text(f"VACUUM (ANALYZE) {table}"))
    generator.counts.update(
        intakes=counts["intake"],
        consents=counts["consent"],
        consent_organizations=counts["consent_org"],
        referrals=counts["referral"],
    )
    return LoadResult(
        counts=generator.counts,
        seconds=time.perf_counter() - began,
        hub_organization_id=generator.hub_id,
    )


@click.command("generate")
@click.option("--referrals", "n", type=click.IntRange(min=1), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--years", type=click.FloatRange(min=0.1, max=50), default=3, show_default=True)
@click.option("--force", is_flag=True, help="Write even when non-demo data is present.")
@with_appcontext
def gen_load_command(n: int, seed: int, years: float, force: bool) -> None:
    """Generate a synthetic coalition with N referrals (demo-marked, no free text)."""
    try:
        result = generate(n, seed=seed, years=years, force=force)
    except GenerateError as error:
        raise click.ClickException(str(error)) from error
    for kind, count in result.counts.items():
        click.echo(f"{kind}: {count:,}")
    click.echo(
        f"Wrote {result.rows:,} rows in {result.seconds:.1f} s "
        f"({result.rows_per_second:,.0f} rows/s; "
        f"{result.counts['referrals'] / result.seconds:,.0f} referrals/s)."
    )


if __name__ == "__main__":
    from referrals import create_app

    with create_app().app_context():
        gen_load_command()
