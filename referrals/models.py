"""Import every model so that ``db.metadata`` knows all tables (for Alembic and tests)."""

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.intake.models import Consent, Intake, consent_organizations
from referrals.lifecycle.models import Notification, Referral, ReferralEvent
from referrals.programs.models import Organization, Program

__all__ = [
    "AuditEvent",
    "Consent",
    "Intake",
    "Notification",
    "Organization",
    "Program",
    "Referral",
    "ReferralEvent",
    "User",
    "consent_organizations",
]
