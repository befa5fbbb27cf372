"""Webhooks: the endpoints an admin registers and the outbox of deliveries made to them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import ArchivableMixin, Base, TimestampMixin, utcnow


class WebhookEvent(enum.Enum):
    """What a receiver can subscribe to."""

    EMPLOYEE_HIRED = "employee.hired"
    TRAINING_COMPLETED = "training.completed"
    APPLICATION_STAGE_CHANGED = "application.stage_changed"
    CREDENTIAL_EXPIRING = "credential.expiring"

    @property
    def label(self) -> str:
        return WEBHOOK_EVENT_LABELS[self]


WEBHOOK_EVENT_LABELS = {
    WebhookEvent.EMPLOYEE_HIRED: "An applicant is hired (employee.hired)",
    WebhookEvent.TRAINING_COMPLETED: "An employee completes a training module (training.completed)",
    WebhookEvent.APPLICATION_STAGE_CHANGED: "An application moves to another stage (application.stage_changed)",
    WebhookEvent.CREDENTIAL_EXPIRING: "A license or certification is about to expire (credential.expiring)",
}


class DeliveryStatus(enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # given up after the last attempt

    @property
    def label(self) -> str:
        return {"pending": "Pending", "delivered": "Delivered", "failed": "Given up"}[self.value]


class WebhookEndpoint(ArchivableMixin, TimestampMixin, Base):
    """A URL that receives signed POSTs for the events it chose."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(default=list)  # WebhookEvent values
    signing_secret: Mapped[str] = mapped_column(String(100))  # shown once; audit entries say "[changed]"
    enabled: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="endpoint")

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {'on' if self.enabled else 'off'}>"

    def wants(self, event: WebhookEvent) -> bool:
        return self.enabled and not self.archived and event.value in (self.events or [])


class WebhookDelivery(Base):
    """One event for one endpoint, recorded in the transaction that made the event, then sent; the
    (endpoint, event id) pair is unique, so nothing is delivered twice."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="RESTRICT"), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)  # the exact JSON sent (and signed) on every attempt
    status: Mapped[DeliveryStatus] = mapped_column(default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    response_code: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event} {self.status.value}>"
