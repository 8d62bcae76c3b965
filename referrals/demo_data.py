"""The demo coalition as data: the seed article's organizations, demo staff and invented cases.

Every timestamp is given in hours before the moment of seeding, so the demo always looks
current. Notes never hold digits, names, places or contact details: they must pass the same
identifier checks as real notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from referrals.enums import (
    AgeBand,
    Gender,
    Indicator,
    NotificationKind,
    Priority,
    ProgramStatus,
    ReferralStatus,
    Role,
    ServiceType,
    Urgency,
)

DAY = 24  # hours

# Published on purpose (README, `make run`): the authenticator key the demo supervisors and
# admins share. It opens invented demo accounts only, and only where the demo may run
# (DEMO_ALLOWED: development and tests), never in production (referrals/auth/mfa.py).
DEMO_TOTP_SECRET = "DEMOCOALITIONKCMODEMOKEY"  # noqa: S105

JACKSON = "Jackson County, MO"
CLAY = "Clay County, MO"
PLATTE = "Platte County, MO"
CASS = "Cass County, MO"
WYANDOTTE = "Wyandotte County, KS"
JOHNSON = "Johnson County, KS"
ALL_COUNTIES = (JACKSON, CLAY, PLATTE, CASS, WYANDOTTE, JOHNSON)

ENGLISH = "English"
SPANISH = "Spanish"

S = ServiceType
FEMALE = (Gender.FEMALE,)
ANY_GENDER: tuple[Gender, ...] = ()


@dataclass(frozen=True)
class ProgramSpec:
    """One program (HSDS service) of a demo organization."""

    name: str
    description: str
    service_types: tuple[ServiceType, ...]
    min_age: int | None
    max_age: int | None
    genders: tuple[Gender, ...]
    languages: tuple[str, ...]
    counties: tuple[str, ...]
    eligibility: str
    capacity_available: int | None
    capacity_maximum: int | None
    capacity_unit: str
    capacity_updated_hours_ago: float | None
    waitlist_accepted: bool
    length_of_stay_days: int | None
    response_time_hours: int
    application_process: str
    required_documents: str
    status: ProgramStatus = ProgramStatus.ACTIVE
    confidential_location: str = ""


@dataclass(frozen=True)
class OrganizationSpec:
    """A demo organization and its programs."""

    name: str
    slug: str
    description: str
    phone: str
    refers: bool
    receives: bool
    programs: tuple[ProgramSpec, ...] = ()


@dataclass(frozen=True)
class UserSpec:
    """A demo account; every one shares the published demo password."""

    email: str
    display_name: str
    role: Role
    organization: str  # slug


@dataclass(frozen=True)
class ConsentSpec:
    """Written consent for an intake; a guardian relationship marks guardian consent."""

    organizations: tuple[str, ...]  # slugs
    given_hours_ago: float
    valid_days: int
    revoked_hours_ago: float | None = None
    guardian_relationship: str = ""


@dataclass(frozen=True)
class IntakeSpec:
    """An anonymized intake; ``key`` only links it to its referrals inside this module."""

    key: str
    organization: str  # slug
    created_by: str  # e-mail
    age_band: AgeBand
    gender: Gender
    languages: tuple[str, ...]
    county: str
    needs: tuple[ServiceType, ...]
    urgency: Urgency
    indicators: tuple[Indicator, ...]
    situation_note: str
    created_hours_ago: float
    consent: ConsentSpec | None = None


@dataclass(frozen=True)
class Step:
    """One status change; ``reason`` is the decline, cancel or outcome code where one applies."""

    to: ReferralStatus
    hours_ago: float
    reason: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ReferralSpec:
    """A referral and the path it has walked so far (it starts as a draft)."""

    key: str
    intake: str  # intake key
    program: str  # program name (unique across the demo)
    priority: Priority
    note: str
    created_hours_ago: float
    steps: tuple[Step, ...] = ()
    viewed_hours_ago: float | None = None


@dataclass(frozen=True)
class NotificationSpec:
    """An in-app notification about a referral."""

    recipient: str  # e-mail
    referral: str  # referral key
    kind: NotificationKind
    created_hours_ago: float
    read_hours_ago: float | None = None
    action: str | None = None  # the move it tells of ("accept"), for its sentence


VERONICAS_VOICE = OrganizationSpec(
    name="Veronica's Voice",
    slug="veronicas-voice",
    description=(
        "Demo listing based on public information. Veronica's Voice gives women leaving "
        "prostitution and sex trafficking a safe space to heal. In 2016 it opened Magdalene KC, "
        "a home where survivors live while they recover."
    ),
    phone="(816) 555-0101",
    refers=False,
    receives=True,
    programs=(
        ProgramSpec(
            name="Magdalene KC survivor home",
            description=(
                "Long-term residential home for adult women survivors of commercial sexual "
                "exploitation, with counseling, peer support and case management toward "
                "independent living. (Demo listing.)"
            ),
            service_types=(S.LONG_TERM_HOUSING, S.COUNSELING, S.CASE_MANAGEMENT),
            min_age=18,
            max_age=None,
            genders=FEMALE,
            languages=(ENGLISH,),
            counties=(JACKSON, WYANDOTTE, JOHNSON, CLAY),
            eligibility=(
                "Women 18 and older who have experienced prostitution or sex trafficking and "
                "want a long-term, sober residential community."
            ),
            capacity_available=1,
            capacity_maximum=8,
            capacity_unit="bed",
            capacity_updated_hours_ago=2 * DAY,
            waitlist_accepted=True,
            length_of_stay_days=730,
            response_time_hours=48,
            application_process=(
                "Referral through the tracker, then a screening call with program staff and an "
                "in-person interview before move-in."
            ),
            required_documents="None to apply; staff help replace identity documents after entry.",
            confidential_location="Confidential residence (demo placeholder)",
        ),
    ),
)

CORNERSTONES = OrganizationSpec(
    name="Cornerstones of Care",
    slug="cornerstones-of-care",
    description=(
        "Demo listing based on public information. Cornerstones of Care supports children and "
        "families through difficult situations: educational support, counseling, substance use "
        "treatment, foster care and family therapy. It also teaches community classes on "
        "spotting victims of trafficking and abuse."
    ),
    phone="(816) 555-0102",
    refers=True,
    receives=True,
    programs=(
        ProgramSpec(
            name="Family therapy and counseling",
            description="Outpatient family therapy and individual counseling for children, "
            "youth and their families. (Demo listing.)",
            service_types=(S.FAMILY_THERAPY, S.COUNSELING),
            min_age=5,
            max_age=24,
            genders=ANY_GENDER,
            languages=(ENGLISH, SPANISH),
            counties=ALL_COUNTIES,
            eligibility="Children and young adults aged 5 to 24 and their families; a parent "
            "or guardian takes part for minors.",
            capacity_available=6,
            capacity_maximum=20,
            capacity_unit="slot",
            capacity_updated_hours_ago=5 * DAY,
            waitlist_accepted=True,
            length_of_stay_days=None,
            response_time_hours=72,
            application_process="Referral through the tracker; an intake coordinator schedules "
            "a first family session.",
            required_documents="Guardian consent for minors; insurance card if available.",
        ),
        ProgramSpec(
            name="Foster care and youth services",
            description="Foster placements, case management and school support for children "
            "and teenagers who cannot safely live at home. (Demo listing.)",
            service_types=(S.FOSTER_CARE, S.CASE_MANAGEMENT, S.EDUCATION_SUPPORT),
            min_age=0,
            max_age=17,
            genders=ANY_GENDER,
            languages=(ENGLISH, SPANISH),
            counties=ALL_COUNTIES,
            eligibility="Minors under 18 only, usually with child welfare involvement.",
            capacity_available=3,
            capacity_maximum=15,
            capacity_unit="bed",
            capacity_updated_hours_ago=3 * DAY,
            waitlist_accepted=False,
            length_of_stay_days=None,
            response_time_hours=48,
            application_process="Referral through the tracker; placement decisions are made "
            "with the child welfare agency.",
            required_documents="Guardian or agency consent.",
        ),
        ProgramSpec(
            name="Substance use treatment",
            description="Outpatient substance use treatment with individual and group "
            "counseling. (Demo listing.)",
            service_types=(S.SUBSTANCE_USE_TREATMENT, S.COUNSELING, S.GROUP_THERAPY),
            min_age=16,
            max_age=None,
            genders=ANY_GENDER,
            languages=(ENGLISH,),
            counties=(JACKSON, CLAY, PLATTE, CASS),
            eligibility="Youth 16 and older and adults who want help with alcohol or drug use.",
            capacity_available=4,
            capacity_maximum=12,
            capacity_unit="slot",
            capacity_updated_hours_ago=1 * DAY,
            waitlist_accepted=True,
            length_of_stay_days=90,
            response_time_hours=72,
            application_process="Referral through the tracker, then a clinical assessment.",
            required_documents="None to apply.",
        ),
        ProgramSpec(
            name="Educational support",
            description="Tutoring, credit recovery and help returning to school. (Demo listing.)",
            service_types=(S.EDUCATION_SUPPORT, S.CASE_MANAGEMENT),
            min_age=5,
            max_age=21,
            genders=ANY_GENDER,
            languages=(ENGLISH, SPANISH),
            counties=(JACKSON, CLAY, PLATTE, WYANDOTTE),
            eligibility="Students aged 5 to 21 who have fallen behind or left school.",
            capacity_available=10,
            capacity_maximum=25,
            capacity_unit="seat",
            capacity_updated_hours_ago=8 * DAY,
            waitlist_accepted=True,
            length_of_stay_days=None,
            response_time_hours=120,
            application_process="Referral through the tracker; a learning plan is agreed at the "
            "first meeting.",
            required_documents="School records if available; guardian consent for minors.",
        ),
    ),
)

JUSTICE_PROJECT = OrganizationSpec(
    name="Justice Project KC",
    slug="justice-project-kc",
    description=(
        "Demo listing based on public information. Justice Project KC helps women in poverty "
        "overcome homelessness, prostitution, sexual exploitation, discrimination, mental "
        "illness and domestic violence."
    ),
    phone="(816) 555-0103",
    refers=True,
    receives=True,
    programs=(
        ProgramSpec(
            name="Willow Tree Room",
            description=(
                "With St. James Parish, Justice Project KC offers women a free meal and legal "
                "resources in the Willow Tree Room at 3936 Troost, Kansas City, MO. "
                "Advocates also help with case management. (Demo listing.)"
            ),
            service_types=(S.MEALS_DROP_IN, S.LEGAL_AID, S.CASE_MANAGEMENT),
            min_age=18,
            max_age=None,
            genders=FEMALE,
            languages=(ENGLISH,),
            counties=ALL_COUNTIES,
            eligibility="Women 18 and older; no appointment needed for the meal.",
            capacity_available=25,
            capacity_maximum=40,
            capacity_unit="seat",
            capacity_updated_hours_ago=1 * DAY,
            waitlist_accepted=False,
            length_of_stay_days=None,
            response_time_hours=48,
            application_process="Drop in during open hours, or send a referral through the "
            "tracker so an advocate expects the client.",
            required_documents="None.",
        ),
    ),
)

RESTORATION_HOUSE = OrganizationSpec(
    name="Restoration House KC",
    slug="restoration-house-kc",
    description=(
        "Demo listing based on public information. Restoration House KC is building a program "
        "for minors, since the average age at which girls are first trafficked is twelve to "
        "thirteen."
    ),
    phone="",
    refers=False,
    receives=True,
    programs=(
        ProgramSpec(
            name="Restoration House farm program for minors",
            description=(
                "Long-term housing on a farm outside Kansas City with group therapy, recovery "
                "therapy, empowerment counseling and health and wellness therapy. Still under "
                "construction: not yet accepting referrals. (Demo listing.)"
            ),
            service_types=(
                S.LONG_TERM_HOUSING,
                S.GROUP_THERAPY,
                S.COUNSELING,
                S.SUBSTANCE_USE_TREATMENT,
            ),
            min_age=12,
            max_age=17,
            genders=FEMALE,
            languages=(ENGLISH,),
            counties=ALL_COUNTIES,
            eligibility="Girls aged 12 to 17 who have been trafficked, with guardian consent.",
            capacity_available=0,
            capacity_maximum=12,
            capacity_unit="bed",
            capacity_updated_hours_ago=14 * DAY,
            waitlist_accepted=False,
            length_of_stay_days=365,
            response_time_hours=72,
            application_process="Not yet open; the program will announce when it accepts "
            "referrals.",
            required_documents="Guardian or agency consent.",
            status=ProgramStatus.TEMPORARILY_CLOSED,
            confidential_location="Rural site about 30 miles outside Kansas City (demo)",
        ),
    ),
)

RENDED_HEART = OrganizationSpec(
    name="Rended Heart",
    slug="rended-heart",
    description=(
        "Demo listing based on public information. Rended Heart gives immediate, short-term "
        "care that helps survivors prepare for long-term accommodation."
    ),
    phone="(816) 555-0105",
    refers=False,
    receives=True,
    programs=(
        ProgramSpec(
            name="Rended Heart 30-day program",
            description=(
                "A 30-day residential program with therapy and housing, plus help replacing "
                "lost IDs, medical and dental care, job applications, transportation and court "
                "appearances. (Demo listing.)"
            ),
            service_types=(
                S.SHORT_TERM_RESIDENTIAL,
                S.COUNSELING,
                S.ID_REPLACEMENT,
                S.MEDICAL_CARE,
                S.DENTAL_CARE,
                S.EMPLOYMENT_ASSISTANCE,
                S.TRANSPORTATION,
                S.COURT_ADVOCACY,
            ),
            min_age=18,
            max_age=None,
            genders=FEMALE,
            languages=(ENGLISH, SPANISH),
            counties=(JACKSON, CLAY, PLATTE, WYANDOTTE, JOHNSON),
            eligibility="Adult women 18 and older leaving trafficking who need a safe place to "
            "stay right away.",
            capacity_available=2,
            capacity_maximum=6,
            capacity_unit="bed",
            capacity_updated_hours_ago=6,
            waitlist_accepted=True,
            length_of_stay_days=30,
            response_time_hours=24,
            application_process="Referral through the tracker; staff call the caseworker back "
            "within a day and arrange transport to the house.",
            required_documents="None; replacing lost IDs is part of the program.",
            confidential_location="Confidential residence (demo placeholder)",
        ),
    ),
)

OUTREACH = OrganizationSpec(
    name="KC Street Outreach Network (demo)",
    slug="kc-street-outreach-network",
    description=(
        "Invented for the demo: a street outreach team that meets people where they are and "
        "refers them to coalition partners."
    ),
    phone="(816) 555-0110",
    refers=True,
    receives=False,
)

COALITION = OrganizationSpec(
    name="KC Anti-Trafficking Coalition",
    slug="kc-anti-trafficking-coalition",
    description="Demo coalition administration: manages member organizations, programs and "
    "staff accounts.",
    phone="",
    refers=False,
    receives=False,
)

ORGANIZATIONS = (
    VERONICAS_VOICE,
    CORNERSTONES,
    JUSTICE_PROJECT,
    RESTORATION_HOUSE,
    RENDED_HEART,
    OUTREACH,
    COALITION,
)
ARTICLE_ORGANIZATIONS = ORGANIZATIONS[:5]

CASEWORKER = "caseworker@demo.example.org"
SUPERVISOR = "supervisor@demo.example.org"
CASEWORKER_CC = "caseworker.cc@demo.example.org"

USERS = (
    UserSpec(CASEWORKER, "Demo Caseworker", Role.CASEWORKER, OUTREACH.slug),
    UserSpec(SUPERVISOR, "Demo Supervisor", Role.SUPERVISOR, OUTREACH.slug),
    UserSpec("partner@demo.example.org", "Demo Partner Staff", Role.PARTNER, RENDED_HEART.slug),
    UserSpec("admin@demo.example.org", "Demo Administrator", Role.ADMIN, COALITION.slug),
    UserSpec(
        "partner.vv@demo.example.org", "Demo Partner Staff (VV)", Role.PARTNER, VERONICAS_VOICE.slug
    ),
    UserSpec(
        "partner.jp@demo.example.org", "Demo Partner Staff (JP)", Role.PARTNER, JUSTICE_PROJECT.slug
    ),
    UserSpec(
        "partner.cc@demo.example.org", "Demo Partner Staff (CC)", Role.PARTNER, CORNERSTONES.slug
    ),
    UserSpec(
        "supervisor.rh@demo.example.org", "Demo Supervisor (RH)", Role.SUPERVISOR, RENDED_HEART.slug
    ),
    UserSpec(CASEWORKER_CC, "Demo Caseworker (CC)", Role.CASEWORKER, CORNERSTONES.slug),
)

A = Indicator
R = ReferralStatus
MAGDALENE = "Magdalene KC survivor home"
FAMILY_THERAPY = "Family therapy and counseling"
SUBSTANCE_USE = "Substance use treatment"
WILLOW_TREE = "Willow Tree Room"
THIRTY_DAY = "Rended Heart 30-day program"
OUTREACH_CONSENT_DAYS = 180

INTAKES = (
    IntakeSpec(
        key="safe-stay",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_18_24,
        gender=Gender.FEMALE,
        languages=(ENGLISH,),
        county=JACKSON,
        needs=(S.SHORT_TERM_RESIDENTIAL, S.COUNSELING, S.ID_REPLACEMENT, S.LONG_TERM_HOUSING),
        urgency=Urgency.URGENT,
        indicators=(A.NO_ID_DOCUMENTS, A.CONTROLLED_COMMUNICATION, A.OLDER_BOYFRIEND),
        situation_note="Met through street outreach; wants a safe place to stay this week and "
        "help replacing lost documents. Prefers a women-only setting.",
        created_hours_ago=20 * DAY,
        consent=ConsentSpec(
            (RENDED_HEART.slug, VERONICAS_VOICE.slug), 20 * DAY - 1, OUTREACH_CONSENT_DAYS
        ),
    ),
    IntakeSpec(
        key="drop-in-legal",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_25_34,
        gender=Gender.FEMALE,
        languages=(ENGLISH, SPANISH),
        county=WYANDOTTE,
        needs=(S.SHORT_TERM_RESIDENTIAL, S.LEGAL_AID, S.MEALS_DROP_IN),
        urgency=Urgency.ROUTINE,
        indicators=(A.DEBT_BONDAGE,),
        situation_note="Came to a drop-in meal; has been staying with acquaintances and wants "
        "advice about a debt someone says she owes.",
        created_hours_ago=25 * DAY,
        consent=ConsentSpec((JUSTICE_PROJECT.slug, RENDED_HEART.slug), 25 * DAY - 1, 90),
    ),
    IntakeSpec(
        key="long-term-recovery",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_35_49,
        gender=Gender.FEMALE,
        languages=(ENGLISH,),
        county=JACKSON,
        needs=(S.LONG_TERM_HOUSING, S.COUNSELING, S.SUBSTANCE_USE_TREATMENT, S.LEGAL_AID),
        urgency=Urgency.URGENT,
        indicators=(A.SUBSTANCE_COERCION, A.PHYSICAL_ABUSE_MARKS),
        situation_note="Ready for a long-term recovery program; asked for counseling and help "
        "with substance use, and has questions about old fines.",
        created_hours_ago=9 * DAY,
        consent=ConsentSpec(
            (VERONICAS_VOICE.slug, CORNERSTONES.slug, JUSTICE_PROJECT.slug),
            9 * DAY - 1,
            OUTREACH_CONSENT_DAYS,
        ),
    ),
    IntakeSpec(
        key="minor-family",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_14_15,
        gender=Gender.FEMALE,
        languages=(ENGLISH,),
        county=JACKSON,
        needs=(S.FAMILY_THERAPY, S.COUNSELING, S.EDUCATION_SUPPORT),
        urgency=Urgency.URGENT,
        indicators=(A.SCHOOL_ABSENCES, A.RUNAWAY, A.OLDER_BOYFRIEND, A.UNEXPLAINED_GIFTS),
        situation_note="Seen together with her guardian after a school referral; missing school "
        "often and has run away twice. Guardian supports family therapy.",
        created_hours_ago=15 * DAY,
        consent=ConsentSpec(
            (CORNERSTONES.slug, RESTORATION_HOUSE.slug),
            15 * DAY - 1,
            OUTREACH_CONSENT_DAYS,
            guardian_relationship="Legal guardian",
        ),
    ),
    IntakeSpec(
        key="emergency-spanish",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_18_24,
        gender=Gender.FEMALE,
        languages=(SPANISH, ENGLISH),
        county=CLAY,
        needs=(S.SHORT_TERM_RESIDENTIAL, S.TRANSPORTATION, S.COURT_ADVOCACY),
        urgency=Urgency.EMERGENCY,
        indicators=(A.COACHED_STORY, A.NO_ID_DOCUMENTS, A.BRANDING_TATTOOS),
        situation_note="Called the outreach line late at night and needs somewhere safe right "
        "away; more comfortable in Spanish and has a court appearance coming up.",
        created_hours_ago=3 * DAY + 4,
        consent=ConsentSpec((RENDED_HEART.slug, JUSTICE_PROJECT.slug), 3 * DAY + 3, 90),
    ),
    IntakeSpec(
        key="consent-revoked",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_25_34,
        gender=Gender.FEMALE,
        languages=(ENGLISH,),
        county=JOHNSON,
        needs=(S.LEGAL_AID, S.MEALS_DROP_IN),
        urgency=Urgency.ROUTINE,
        indicators=(A.FLAUNTING_MONEY,),
        situation_note="Asked about legal help with old tickets and a free meal; later decided "
        "to pause all sharing with partners.",
        created_hours_ago=12 * DAY,
        consent=ConsentSpec((JUSTICE_PROJECT.slug,), 12 * DAY - 1, 90, revoked_hours_ago=4 * DAY),
    ),
    IntakeSpec(
        key="no-consent-yet",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_18_24,
        gender=Gender.FEMALE,
        languages=(ENGLISH,),
        county=JACKSON,
        needs=(S.SHORT_TERM_RESIDENTIAL, S.COUNSELING),
        urgency=Urgency.URGENT,
        indicators=(A.CONTROLLED_COMMUNICATION,),
        situation_note="Met at a drop-in; wants short-term shelter and someone to talk to, and "
        "has not decided yet about sharing information with partners.",
        created_hours_ago=26,
    ),
    IntakeSpec(
        key="treatment-lost-contact",
        organization=OUTREACH.slug,
        created_by=CASEWORKER,
        age_band=AgeBand.AGE_35_49,
        gender=Gender.FEMALE,
        languages=(ENGLISH,),
        county=JACKSON,
        needs=(S.SUBSTANCE_USE_TREATMENT, S.COUNSELING, S.ID_REPLACEMENT),
        urgency=Urgency.ROUTINE,
        indicators=(A.SUBSTANCE_COERCION, A.DEBT_BONDAGE),
        situation_note="Wants treatment and help getting an identity card; has relapsed before "
        "when housing fell through.",
        created_hours_ago=30 * DAY,
        consent=ConsentSpec(
            (CORNERSTONES.slug, RENDED_HEART.slug), 30 * DAY - 1, OUTREACH_CONSENT_DAYS
        ),
    ),
    IntakeSpec(
        key="aging-out",
        organization=CORNERSTONES.slug,
        created_by=CASEWORKER_CC,
        age_band=AgeBand.AGE_18_24,
        gender=Gender.FEMALE,
        languages=(ENGLISH,),
        county=JACKSON,
        needs=(
            S.SHORT_TERM_RESIDENTIAL,
            S.LONG_TERM_HOUSING,
            S.COUNSELING,
            S.EMPLOYMENT_ASSISTANCE,
        ),
        urgency=Urgency.ROUTINE,
        indicators=(A.RUNAWAY, A.UNEXPLAINED_GIFTS),
        situation_note="Leaving foster care soon; needs somewhere to live, counseling, and help "
        "finding a first job.",
        created_hours_ago=18 * DAY,
        consent=ConsentSpec((RENDED_HEART.slug, VERONICAS_VOICE.slug), 18 * DAY - 1, 365),
    ),
)

# At least one referral in every status, and one requested referral past its response time.
REFERRALS = (
    ReferralSpec(
        key="safe-stay-short-term",
        intake="safe-stay",
        program=THIRTY_DAY,
        priority=Priority.URGENT,
        note="Adult woman seeking a short-term stay with counseling; her identity documents "
        "are lost. Please reach her through the outreach caseworker.",
        created_hours_ago=20 * DAY - 2,
        viewed_hours_ago=20 * DAY - 6,
        steps=(
            Step(R.REQUESTED, 20 * DAY - 2.5),
            Step(R.ACCEPTED, 20 * DAY - 8, note="Bed held; transport arranged."),
            Step(R.IN_PROGRESS, 19 * DAY, note="Moved in."),
        ),
    ),
    ReferralSpec(
        key="safe-stay-long-term",
        intake="safe-stay",
        program=MAGDALENE,
        priority=Priority.ROUTINE,
        note="Settled in short-term care and asking about long-term housing afterwards.",
        created_hours_ago=6 * DAY,
        viewed_hours_ago=5 * DAY,
        steps=(
            Step(R.REQUESTED, 6 * DAY - 0.5),
            Step(R.ACCEPTED, 4 * DAY, note="Interview went well."),
            Step(R.ON_HOLD, 4 * DAY - 1, "waitlisted", "Waitlisted until a room opens."),
        ),
    ),
    ReferralSpec(
        key="drop-in-no-bed",
        intake="drop-in-legal",
        program=THIRTY_DAY,
        priority=Priority.URGENT,
        note="Needs a safe bed soon; open to a short-term program while legal questions are "
        "sorted out.",
        created_hours_ago=25 * DAY - 2,
        viewed_hours_ago=25 * DAY - 8,
        steps=(
            Step(R.REQUESTED, 25 * DAY - 2.5),
            Step(R.REJECTED, 25 * DAY - 10, "no_capacity", "All beds are full this week."),
        ),
    ),
    ReferralSpec(
        key="drop-in-legal-aid",
        intake="drop-in-legal",
        program=WILLOW_TREE,
        priority=Priority.ROUTINE,
        note="Would like legal advice about a debt and a regular place for meals.",
        created_hours_ago=24 * DAY,
        viewed_hours_ago=23 * DAY,
        steps=(
            Step(R.REQUESTED, 24 * DAY - 0.5),
            Step(R.ACCEPTED, 23 * DAY - 3),
            Step(R.IN_PROGRESS, 22 * DAY, note="First visit and legal consultation."),
            Step(
                R.COMPLETED,
                5 * DAY,
                "service_completed",
                "Legal advice given; she keeps coming for meals.",
            ),
        ),
    ),
    ReferralSpec(
        key="recovery-housing",
        intake="long-term-recovery",
        program=MAGDALENE,
        priority=Priority.URGENT,
        note="Ready for a long-term residential program with counseling; motivated and stable "
        "this week.",
        created_hours_ago=9 * DAY - 2,
        viewed_hours_ago=8 * DAY,
        steps=(
            Step(R.REQUESTED, 9 * DAY - 3),
            Step(R.ACCEPTED, 8 * DAY - 6, note="Move-in interview to be scheduled."),
        ),
    ),
    ReferralSpec(
        key="recovery-treatment",
        intake="long-term-recovery",
        program=SUBSTANCE_USE,
        priority=Priority.ROUTINE,
        note="Interested in outpatient substance use treatment alongside housing; please "
        "contact her through the caseworker.",
        created_hours_ago=21,
        viewed_hours_ago=6,
        steps=(Step(R.REQUESTED, 20),),
    ),
    ReferralSpec(
        key="recovery-legal-draft",
        intake="long-term-recovery",
        program=WILLOW_TREE,
        priority=Priority.ROUTINE,
        note="Legal advice about old fines; confirming with the client before sending.",
        created_hours_ago=2,
    ),
    ReferralSpec(
        key="minor-family-therapy",
        intake="minor-family",
        program=FAMILY_THERAPY,
        priority=Priority.URGENT,
        note="Young teen with guardian support; family therapy and help getting back to school "
        "requested.",
        created_hours_ago=15 * DAY - 2,
        viewed_hours_ago=14 * DAY,
        steps=(
            Step(R.REQUESTED, 15 * DAY - 3),
            Step(R.ACCEPTED, 14 * DAY - 4),
            Step(R.IN_PROGRESS, 12 * DAY, note="First family session held."),
        ),
    ),
    ReferralSpec(
        key="emergency-overdue",
        intake="emergency-spanish",
        program=THIRTY_DAY,
        priority=Priority.ASAP,
        note="Needs a safe place immediately; Spanish preferred; support with a court "
        "appearance needed.",
        created_hours_ago=3 * DAY + 2,
        steps=(Step(R.REQUESTED, 3 * DAY + 1.5),),
    ),
    ReferralSpec(
        key="revoked-cancelled",
        intake="consent-revoked",
        program=WILLOW_TREE,
        priority=Priority.ROUTINE,
        note="Asked for legal resources and a regular free meal.",
        created_hours_ago=12 * DAY - 2,
        viewed_hours_ago=11 * DAY,
        steps=(
            Step(R.REQUESTED, 12 * DAY - 3),
            Step(R.ACCEPTED, 10 * DAY),
            Step(R.CANCELLED, 4 * DAY, "consent_revoked", "Client withdrew consent."),
        ),
    ),
    ReferralSpec(
        key="treatment-failed",
        intake="treatment-lost-contact",
        program=SUBSTANCE_USE,
        priority=Priority.ROUTINE,
        note="Requesting substance use treatment with counseling; also needs an identity card.",
        created_hours_ago=30 * DAY - 2,
        viewed_hours_ago=29 * DAY,
        steps=(
            Step(R.REQUESTED, 30 * DAY - 3),
            Step(R.ACCEPTED, 28 * DAY),
            Step(R.IN_PROGRESS, 27 * DAY, note="Started outpatient sessions."),
            Step(R.FAILED, 10 * DAY, "lost_contact", "Stopped attending and could not be reached."),
        ),
    ),
    ReferralSpec(
        key="treatment-wrong-program",
        intake="treatment-lost-contact",
        program=THIRTY_DAY,
        priority=Priority.ROUTINE,
        note="Short-term stay request.",
        created_hours_ago=30 * DAY - 2.5,
        steps=(
            Step(R.REQUESTED, 30 * DAY - 2.75),
            Step(
                R.ENTERED_IN_ERROR,
                30 * DAY - 4,
                "wrong_intake",
                "Recorded against the wrong intake.",
            ),
        ),
    ),
    ReferralSpec(
        key="aging-out-short-term",
        intake="aging-out",
        program=THIRTY_DAY,
        priority=Priority.URGENT,
        note="Leaving foster care; needs a short-term stay while long-term housing is arranged.",
        created_hours_ago=18 * DAY - 2,
        viewed_hours_ago=18 * DAY - 5,
        steps=(
            Step(R.REQUESTED, 18 * DAY - 3),
            Step(R.ACCEPTED, 18 * DAY - 8),
            Step(R.IN_PROGRESS, 17 * DAY),
            Step(R.COMPLETED, 2 * DAY, "transferred", "Moving on toward long-term housing."),
        ),
    ),
    ReferralSpec(
        key="aging-out-long-term",
        intake="aging-out",
        program=MAGDALENE,
        priority=Priority.ROUTINE,
        note="Finishing a short-term program; asking for long-term housing with counseling.",
        created_hours_ago=10,
        steps=(Step(R.REQUESTED, 9.5),),
    ),
)

NOTIFICATIONS = (
    NotificationSpec(
        "partner@demo.example.org",
        "emergency-overdue",
        NotificationKind.NEW_REFERRAL,
        3 * DAY + 1.5,
    ),
    NotificationSpec(
        "partner@demo.example.org", "emergency-overdue", NotificationKind.OVERDUE, 2 * DAY + 1.5
    ),
    NotificationSpec(
        "supervisor.rh@demo.example.org", "emergency-overdue", NotificationKind.ESCALATION, 26
    ),
    NotificationSpec(
        "partner.cc@demo.example.org", "recovery-treatment", NotificationKind.NEW_REFERRAL, 20, 6
    ),
    NotificationSpec(
        "partner.vv@demo.example.org", "aging-out-long-term", NotificationKind.NEW_REFERRAL, 9.5
    ),
    NotificationSpec(
        "partner.vv@demo.example.org",
        "recovery-housing",
        NotificationKind.NEW_REFERRAL,
        9 * DAY - 3,
        8 * DAY,
    ),
    NotificationSpec(
        "partner.jp@demo.example.org",
        "revoked-cancelled",
        NotificationKind.CANCELLED,
        4 * DAY,
        action="system_cancel",
    ),
    NotificationSpec(
        CASEWORKER,
        "drop-in-no-bed",
        NotificationKind.DECISION,
        25 * DAY - 10,
        25 * DAY - 12,
        action="decline",
    ),
    NotificationSpec(
        CASEWORKER, "recovery-housing", NotificationKind.DECISION, 8 * DAY - 6, action="accept"
    ),
)
