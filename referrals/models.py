"""Import every model so that ``db.metadata`` knows all tables (for Alembic and tests)."""

from referrals.audit.models import AuditEvent
from referrals.auth.models import LoginThrottle, RecoveryCode, User, UserSession
from referrals.intake.models import Consent, Intake, consent_organizations
from referrals.lifecycle.models import Notification, Referral, ReferralEvent, SweepTotal
from referrals.programs.models import Organization, Program
from referrals.tokens.models import ApiToken
from referrals.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
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
