"""All models, importable from one place so Alembic and the app see the whole schema."""

from app.models.api import ApiCall, ApiToken, IdempotentRequest, Scope
from app.models.audit import AuditEvent, OutboxMessage, OutboxStatus
from app.models.base import Base, utcnow
from app.models.cache import DataVersion
from app.models.check_ins import CheckIn, CheckInRating, CheckInSchedule, Rater
from app.models.credentials import (
    CredentialingEvent,
    CredentialScan,
    CredentialStanding,
    CredentialType,
    EmployeeCredential,
    Privilege,
    VerificationMethod,
)
from app.models.hiring import (
    Application,
    ApplicationResubmission,
    CandidateLinkUse,
    Criterion,
    EmploymentType,
    Interview,
    InterviewAssignment,
    InterviewPanelist,
    KitItem,
    Posting,
    PostingStatus,
    Question,
    QuestionKind,
    Rating,
    Recommendation,
    Rubric,
    Scorecard,
    ScorecardStatus,
    Stage,
    StageChange,
)
from app.models.messages import MessageTemplate
from app.models.offers import Offer, OfferLetterTemplate, OfferStatus, PayPeriod
from app.models.onboarding import (
    Assignment,
    Completion,
    Method,
    Module,
    Progress,
    ProgressStatus,
    QuizAttempt,
    QuizItem,
    Responsible,
    Track,
    TrackKind,
    TrainingSummary,
    ValueSummary,
    ValueTotal,
    module_value,
)
from app.models.people import Role, RoleFamily, Site, User
from app.models.values import Reference, Value
from app.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ApiCall", "ApiToken", "IdempotentRequest", "Scope",
    "DeliveryStatus", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent",
    "CredentialingEvent",
    "Privilege",
    "CredentialScan",
    "CredentialStanding",
    "CredentialType",
    "EmployeeCredential",
    "VerificationMethod",
    "CheckIn",
    "CheckInRating",
    "CheckInSchedule",
    "Rater",
    "CandidateLinkUse",
    "MessageTemplate",
    "Offer", "OfferLetterTemplate", "OfferStatus", "PayPeriod",
    "Interview", "InterviewPanelist",
    "Application", "ApplicationResubmission", "Assignment", "AuditEvent", "Base", "Completion", "Criterion", "DataVersion",
    "EmploymentType", "InterviewAssignment", "KitItem", "Method", "Module", "OutboxMessage",
    "OutboxStatus", "Posting", "PostingStatus", "Progress", "ProgressStatus", "Question",
    "QuestionKind", "QuizAttempt", "QuizItem", "Rating", "Recommendation", "Reference", "Responsible", "Role",
    "RoleFamily", "Rubric", "Scorecard", "ScorecardStatus", "Site", "Stage", "StageChange",
    "Track", "TrackKind", "TrainingSummary", "User", "Value", "ValueSummary", "ValueTotal", "module_value", "utcnow",
]
