"""Import every model so that ``db.metadata`` knows all tables (for Alembic and tests)."""

from referrals.audit.models import AuditEvent
from referrals.auth.models import LoginThrottle, RecoveryCode, User, UserSession
from referrals.intake.models import Consent, Intake, consent_organizations
from referrals.lifecycle.models import Notification, Referral, ReferralEvent, SweepTotal
from referrals.programs.models import Organization, Program
from referrals.rollups import upkeep  # noqa: F401  (keeps the rollups in step on every flush)
from referrals.rollups.tables import TABLES as ROLLUP_TABLES
from referrals.tokens.models import ApiToken
from referrals.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ROLLUP_TABLES",
    "ApiToken",
    "AuditEvent",
    "Consent",
    "Intake",
    "LoginThrottle",
    "Notification",
    "Organization",
    "Program",
    "RecoveryCode",
    "Referral",
    "ReferralEvent",
    "SweepTotal",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
    "consent_organizations",
]
