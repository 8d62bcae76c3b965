"""Coded values shared across areas: roles, statuses, reasons, taxonomies.

Codes are stored as their ``value`` strings, never as translated labels.
"""

from __future__ import annotations

import enum
from typing import Self, TypeVar

from flask import g, has_app_context
from flask_babel import get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

Member = TypeVar("Member", bound="CodedEnum")


class CodedEnum(enum.StrEnum):
    """A string enum whose members carry a translatable label."""

    @property
    def label(self) -> str:
        """The member's label in the current locale."""
        return type(self).labels()[self]

    @classmethod
    def labels(cls) -> dict[Self, str]:
        """The members' labels in the current locale, each translated when first read in a
        request: a list shows one per row (a translation through Flask-Babel costs ~10 µs),
        the inbox reads the statuses' three times (two lists and the filter), and a
        referral page shows one member of each of eight enums."""
        if not has_app_context():
            return {member: member._translated() for member in cls}
        translated: dict[tuple[type[CodedEnum], object], _Labels[Self]]
        translated = g.setdefault("coded_enum_labels", {})
        key = (cls, get_locale())  # force_locale may change it within a request
        labels = translated.get(key)
        if labels is None:
            labels = translated[key] = _Labels(cls)
        return labels

    def _translated(self) -> str:
        return str(LABELS.get(self, self.value))

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """Form choices: the code as value, the label as text. The label stays lazy and is
        translated when the form renders: forms declare their choices at import, before
        any request has a language."""
        return [
            SelectChoice(member.value, LABELS.get(member, member.value))  # type: ignore[arg-type]
            for member in cls
        ]


class _Labels(dict[Member, str]):
    """An enum's labels, each translated the first time it is looked up (by member or code)."""

    def __init__(self, enum_class: type[Member]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def __missing__(self, key: object) -> str:
        try:
            member = self.enum_class(str(key))
        except ValueError:
            raise KeyError(key) from None
        label = self[member] = member._translated()
        return label


class Role(CodedEnum):
    CASEWORKER = "caseworker"
    PARTNER = "partner"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ServiceType(CodedEnum):
    SHORT_TERM_RESIDENTIAL = "short_term_residential"
    LONG_TERM_HOUSING = "long_term_housing"
    EMERGENCY_SHELTER = "emergency_shelter"
    COUNSELING = "counseling"
    GROUP_THERAPY = "group_therapy"
    FAMILY_THERAPY = "family_therapy"
    SUBSTANCE_USE_TREATMENT = "substance_use_treatment"
    MEDICAL_CARE = "medical_care"
    DENTAL_CARE = "dental_care"
    ID_REPLACEMENT = "id_replacement"
    LEGAL_AID = "legal_aid"
    COURT_ADVOCACY = "court_advocacy"
    TRANSPORTATION = "transportation"
    EMPLOYMENT_ASSISTANCE = "employment_assistance"
    EDUCATION_SUPPORT = "education_support"
    MEALS_DROP_IN = "meals_drop_in"
    CASE_MANAGEMENT = "case_management"
    FOSTER_CARE = "foster_care"


class AgeBand(CodedEnum):
    UNDER_12 = "under_12"
    AGE_12_13 = "12_13"
    AGE_14_15 = "14_15"
    AGE_16_17 = "16_17"
    AGE_18_24 = "18_24"
    AGE_25_34 = "25_34"
    AGE_35_49 = "35_49"
    AGE_50_PLUS = "50_plus"

    @property
    def bounds(self) -> tuple[int, int]:
        """Youngest and oldest age (in years) the band covers."""
        return AGE_BAND_BOUNDS[self]

    @property
    def is_minor(self) -> bool:
        return self.bounds[1] < 18


AGE_BAND_BOUNDS: dict[AgeBand, tuple[int, int]] = {
    AgeBand.UNDER_12: (0, 11),
    AgeBand.AGE_12_13: (12, 13),
    AgeBand.AGE_14_15: (14, 15),
    AgeBand.AGE_16_17: (16, 17),
    AgeBand.AGE_18_24: (18, 24),
    AgeBand.AGE_25_34: (25, 34),
    AgeBand.AGE_35_49: (35, 49),
    AgeBand.AGE_50_PLUS: (50, 120),
}


class Gender(CodedEnum):
    FEMALE = "female"
    MALE = "male"
    TRANSGENDER_FEMALE = "transgender_female"
    TRANSGENDER_MALE = "transgender_male"
    NON_BINARY = "non_binary"
    UNDISCLOSED = "undisclosed"


class Urgency(CodedEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"


class ProgramStatus(CodedEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    TEMPORARILY_CLOSED = "temporarily_closed"


class ReferralStatus(CodedEnum):
    """FHIR Task statuses used by the SDOH Clinical Care referral workflow."""

    DRAFT = "draft"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered_in_error"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {
        ReferralStatus.REJECTED,
        ReferralStatus.COMPLETED,
        ReferralStatus.FAILED,
        ReferralStatus.CANCELLED,
        ReferralStatus.ENTERED_IN_ERROR,
    }
)
OPEN_STATUSES = frozenset(set(ReferralStatus) - TERMINAL_STATUSES - {ReferralStatus.DRAFT})


class Priority(CodedEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    ASAP = "asap"
    STAT = "stat"


# A referral's priority starts from the intake's urgency (the sender may change it).
PRIORITY_FOR_URGENCY: dict[Urgency, Priority] = {
    Urgency.EMERGENCY: Priority.ASAP,
    Urgency.URGENT: Priority.URGENT,
    Urgency.ROUTINE: Priority.ROUTINE,
}


class DeclineReason(CodedEnum):
    NO_CAPACITY = "no_capacity"
    NOT_ELIGIBLE = "not_eligible"
    SERVICE_NOT_PROVIDED = "service_not_provided"
    UNABLE_TO_CONTACT = "unable_to_contact"
    CLIENT_DECLINED = "client_declined"
    ALREADY_ENROLLED = "already_enrolled"
    SAFETY_CONCERN = "safety_concern"
    OTHER = "other"


class OutcomeCode(CodedEnum):
    SERVICE_COMPLETED = "service_completed"
    TRANSFERRED = "transferred"
    CLIENT_LEFT = "client_left"
    LOST_CONTACT = "lost_contact"
    NO_LONGER_NEEDED = "no_longer_needed"
    SAFETY_CONCERN = "safety_concern"
    OTHER = "other"


class CancelReason(CodedEnum):
    CLIENT_DECLINED = "client_declined"
    NEED_MET_ELSEWHERE = "need_met_elsewhere"
    CONSENT_REVOKED = "consent_revoked"
    CONSENT_EXPIRED = "consent_expired"
    UNANSWERED = "unanswered"
    SENT_IN_ERROR = "sent_in_error"
    OTHER = "other"


class HoldReason(CodedEnum):
    """Why a receiver puts a referral on hold (waitlisted or paused)."""

    WAITLIST_NO_BED = "waitlist_no_bed"
    AWAITING_DOCUMENTS = "awaiting_documents"
    AWAITING_CLIENT = "awaiting_client"
    PROGRAM_START_DATE = "program_start_date"
    CLIENT_IN_CARE_ELSEWHERE = "client_in_care_elsewhere"
    OTHER = "other"


class Indicator(CodedEnum):
    """Trafficking warning signs (BIG Search KC, via the seed article, and common others)."""

    PHYSICAL_ABUSE_MARKS = "physical_abuse_marks"
    SCHOOL_ABSENCES = "school_absences"
    FLAUNTING_MONEY = "flaunting_money"
    OLDER_BOYFRIEND = "older_boyfriend"
    RUNAWAY = "runaway"
    CONTROLLED_COMMUNICATION = "controlled_communication"
    NO_ID_DOCUMENTS = "no_id_documents"
    BRANDING_TATTOOS = "branding_tattoos"
    UNEXPLAINED_GIFTS = "unexplained_gifts"
    COACHED_STORY = "coached_story"
    DEBT_BONDAGE = "debt_bondage"
    SUBSTANCE_COERCION = "substance_coercion"


class NotificationKind(CodedEnum):
    NEW_REFERRAL = "new_referral"
    DECISION = "decision"
    STATUS_CHANGE = "status_change"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    CANCELLED = "cancelled"
    MESSAGE = "message"
    ASSIGNED = "assigned"
    # The two-person rule (auth/confirmation.py): about a staff account, not a referral.
    ACCOUNT_WAITING = "account_waiting"
    ACCOUNT_CONFIRMED = "account_confirmed"
    # Webhooks (webhooks/delivery.py): an endpoint was switched off after repeated failures.
    WEBHOOK_DISABLED = "webhook_disabled"

    @property
    def about_an_account(self) -> bool:
        return self in (NotificationKind.ACCOUNT_WAITING, NotificationKind.ACCOUNT_CONFIRMED)

    @property
    def about_a_referral(self) -> bool:
        return not (self.about_an_account or self is NotificationKind.WEBHOOK_DISABLED)


class TokenScope(CodedEnum):
    """What an API token may do: read only, or also act (change a referral, a capacity)."""

    READ = "read"
    ACT = "act"


# English labels, marked for translation; every member has one (tests/test_translations.py).
# Codes are str: members of two enums with the same value share one entry ("other",
# "urgent"), so such members must mean the same. Labels added with issue #20 carry a context
# ("referral status"): the same English word elsewhere ("Accepted", a column of counts) is
# another word in Spanish ("Aceptadas").
LABELS: dict[enum.Enum, object] = {
    Gender.FEMALE: lazy_pgettext("gender", "Female"),
    Gender.MALE: lazy_pgettext("gender", "Male"),
    Gender.TRANSGENDER_FEMALE: lazy_pgettext("gender", "Transgender female"),
    Gender.TRANSGENDER_MALE: lazy_pgettext("gender", "Transgender male"),
    Gender.NON_BINARY: lazy_pgettext("gender", "Non binary"),
    Gender.UNDISCLOSED: lazy_pgettext("gender", "Undisclosed"),
    Urgency.EMERGENCY: lazy_pgettext("urgency", "Emergency"),
    Urgency.URGENT: lazy_pgettext("urgency", "Urgent"),
    Urgency.ROUTINE: lazy_pgettext("urgency", "Routine"),
    Priority.ASAP: lazy_pgettext("priority", "Asap"),
    Priority.STAT: lazy_pgettext("priority", "Stat"),
    ProgramStatus.ACTIVE: lazy_pgettext("program status", "Active"),
    ProgramStatus.INACTIVE: lazy_pgettext("program status", "Inactive"),
    ReferralStatus.DRAFT: lazy_pgettext("referral status", "Draft"),
    ReferralStatus.REQUESTED: lazy_pgettext("referral status", "Requested"),
    ReferralStatus.ACCEPTED: lazy_pgettext("referral status", "Accepted"),
    ReferralStatus.COMPLETED: lazy_pgettext("referral status", "Completed"),
    ReferralStatus.FAILED: lazy_pgettext("referral status", "Failed"),
    ReferralStatus.CANCELLED: lazy_pgettext("referral status", "Cancelled"),
    DeclineReason.SERVICE_NOT_PROVIDED: lazy_pgettext("reason", "Service not provided"),
    DeclineReason.UNABLE_TO_CONTACT: lazy_pgettext("reason", "Unable to contact"),
    DeclineReason.CLIENT_DECLINED: lazy_pgettext("reason", "Client declined"),
    DeclineReason.ALREADY_ENROLLED: lazy_pgettext("reason", "Already enrolled"),
    DeclineReason.SAFETY_CONCERN: lazy_pgettext("reason", "Safety concern"),
    OutcomeCode.SERVICE_COMPLETED: lazy_pgettext("reason", "Service completed"),
    OutcomeCode.TRANSFERRED: lazy_pgettext("reason", "Transferred"),
    OutcomeCode.CLIENT_LEFT: lazy_pgettext("reason", "Client left"),
    OutcomeCode.LOST_CONTACT: lazy_pgettext("reason", "Lost contact"),
    OutcomeCode.NO_LONGER_NEEDED: lazy_pgettext("reason", "No longer needed"),
    CancelReason.NEED_MET_ELSEWHERE: lazy_pgettext("reason", "Need met elsewhere"),
    CancelReason.CONSENT_REVOKED: lazy_pgettext("reason", "Consent revoked"),
    CancelReason.CONSENT_EXPIRED: lazy_pgettext("reason", "Consent expired"),
    CancelReason.UNANSWERED: lazy_pgettext("reason", "Unanswered"),
    CancelReason.SENT_IN_ERROR: lazy_pgettext("reason", "Sent in error"),
    NotificationKind.NEW_REFERRAL: lazy_pgettext("notification", "New referral"),
    NotificationKind.DECISION: lazy_pgettext("notification", "Decision"),
    NotificationKind.STATUS_CHANGE: lazy_pgettext("notification", "Status change"),
    NotificationKind.OVERDUE: lazy_pgettext("notification", "Overdue"),
    NotificationKind.ESCALATION: lazy_pgettext("notification", "Escalation"),
    NotificationKind.MESSAGE: lazy_pgettext("notification", "Message"),
    NotificationKind.ASSIGNED: lazy_pgettext("notification", "Assigned"),
    NotificationKind.ACCOUNT_WAITING: lazy_pgettext("notification", "Account waiting"),
    NotificationKind.ACCOUNT_CONFIRMED: lazy_pgettext("notification", "Account confirmed"),
    NotificationKind.WEBHOOK_DISABLED: lazy_pgettext("notification", "Webhook disabled"),
    Role.CASEWORKER: _l("Caseworker"),
    Role.PARTNER: _l("Partner staff"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Administrator"),
    AgeBand.UNDER_12: _l("Under 12"),
    AgeBand.AGE_12_13: _l("12–13"),
    AgeBand.AGE_14_15: _l("14–15"),
    AgeBand.AGE_16_17: _l("16–17"),
    AgeBand.AGE_18_24: _l("18–24"),
    AgeBand.AGE_25_34: _l("25–34"),
    AgeBand.AGE_35_49: _l("35–49"),
    AgeBand.AGE_50_PLUS: _l("50 and over"),
    ServiceType.SHORT_TERM_RESIDENTIAL: _l("Short-term residential care"),
    ServiceType.LONG_TERM_HOUSING: _l("Long-term housing"),
    ServiceType.EMERGENCY_SHELTER: _l("Emergency shelter"),
    ServiceType.COUNSELING: _l("Counseling"),
    ServiceType.GROUP_THERAPY: _l("Group therapy"),
    ServiceType.FAMILY_THERAPY: _l("Family therapy"),
    ServiceType.SUBSTANCE_USE_TREATMENT: _l("Substance use treatment"),
    ServiceType.MEDICAL_CARE: _l("Medical care"),
    ServiceType.DENTAL_CARE: _l("Dental care"),
    ServiceType.ID_REPLACEMENT: _l("ID replacement"),
    ServiceType.LEGAL_AID: _l("Legal aid"),
    ServiceType.COURT_ADVOCACY: _l("Court advocacy"),
    ServiceType.TRANSPORTATION: _l("Transportation"),
    ServiceType.EMPLOYMENT_ASSISTANCE: _l("Employment assistance"),
    ServiceType.EDUCATION_SUPPORT: _l("Education support"),
    ServiceType.MEALS_DROP_IN: _l("Meals / drop-in"),
    ServiceType.CASE_MANAGEMENT: _l("Case management"),
    ServiceType.FOSTER_CARE: _l("Foster care"),
    ProgramStatus.TEMPORARILY_CLOSED: _l("Temporarily closed"),
    ReferralStatus.IN_PROGRESS: _l("Enrolled (in progress)"),
    ReferralStatus.ON_HOLD: _l("Waitlisted / on hold"),
    ReferralStatus.REJECTED: _l("Declined"),
    ReferralStatus.ENTERED_IN_ERROR: _l("Entered in error"),
    Indicator.PHYSICAL_ABUSE_MARKS: _l("Marks of physical abuse"),
    Indicator.SCHOOL_ABSENCES: _l("Frequent absences from school"),
    Indicator.FLAUNTING_MONEY: _l("Flaunting money"),
    Indicator.OLDER_BOYFRIEND: _l("Significantly older boyfriend or partner"),
    Indicator.RUNAWAY: _l("Running away from home"),
    Indicator.CONTROLLED_COMMUNICATION: _l("Someone else controls phone or communication"),
    Indicator.NO_ID_DOCUMENTS: _l("Does not hold own ID or documents"),
    Indicator.BRANDING_TATTOOS: _l("Branding tattoos"),
    Indicator.UNEXPLAINED_GIFTS: _l("Unexplained gifts, phones or clothes"),
    Indicator.COACHED_STORY: _l("Scripted or coached answers"),
    Indicator.DEBT_BONDAGE: _l("Owes a debt to an employer or controller"),
    Indicator.SUBSTANCE_COERCION: _l("Substances used for control"),
    DeclineReason.NO_CAPACITY: _l("No capacity"),
    DeclineReason.NOT_ELIGIBLE: _l("Not eligible"),
    HoldReason.WAITLIST_NO_BED: _l("Waitlisted: no place free yet"),
    HoldReason.AWAITING_DOCUMENTS: _l("Waiting for documents"),
    HoldReason.AWAITING_CLIENT: _l("Waiting to hear from the client"),
    HoldReason.PROGRAM_START_DATE: _l("Waiting for the program's start date"),
    HoldReason.CLIENT_IN_CARE_ELSEWHERE: _l("Client is in care elsewhere for now"),
    HoldReason.OTHER: _l("Other (see the note)"),
    TokenScope.READ: _l("Read only"),
    TokenScope.ACT: _l("Read and act"),
}
