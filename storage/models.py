"""SQLAlchemy models. No business rules here: columns, keys and indexes only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC on every engine and hands back aware UTC datetimes.

    SQLite has no time zones and asyncpg returns aware values for timestamptz; keeping one
    convention in the column type means comparisons behave the same on both.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class UserRow(Base):
    """Everyone who ever wrote to the bot; role decides what they may do."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16), default="worker")
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_version: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class FaqEntryRow(Base):
    """The live knowledge base; YAML files only seed it."""

    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(80))
    question: Mapped[str] = mapped_column(Text)
    alternates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime]
    changed_by: Mapped[int | None] = mapped_column(BigInteger)


class FaqVersionRow(Base):
    """Every saved state of an entry, so an edit can be reviewed or rolled back."""

    __tablename__ = "faq_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime]
    changed_by: Mapped[int | None] = mapped_column(BigInteger)


class UnansweredRow(Base):
    """Questions the bot could not answer with confidence, for admins to review.

    The text is kept (admins must read it to write entries) but never with the sender's id.
    """

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    best_faq_id: Mapped[str | None] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(Float)
    route: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(index=True)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)


class FeedbackRow(Base):
    """这个回答有帮助吗: one vote per press, no user id."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(80), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]


class AuditRow(Base):
    """Who did what, when: grants, revocations, FAQ edits and rollbacks, exports, deletions.
    Targets are ids and codes, never a worker's words."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(120))


class QuestionCountRow(Base):
    """How many questions a day got which route and entry, answered or not: the statistics'
    questions asked and answered, with no text and no user."""

    __tablename__ = "question_counts"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # China date
    route: Mapped[str] = mapped_column(String(16), primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(80), primary_key=True)  # "" when none
    answered: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class LabelRow(Base):
    """A real message's right route (and entry), given by an admin or staff; joins the
    training corpus at `kb train`. Never stored with the sender's id."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    route: Mapped[str] = mapped_column(String(16))
    faq_id: Mapped[str | None] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(16))  # unanswered | case
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class InboxRow(Base):
    """Telegram update ids already taken in: a retried delivery or a second instance skips them."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # received (a webhook stored it before answering 200) | handling | done
    state: Mapped[str] = mapped_column(String(12), default="handling")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(index=True)


class DialogStateRow(Base):
    """Where each user is in the conversation; survives restarts and is shared by instances."""

    __tablename__ = "dialog_states"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


Index("ix_unanswered_reviewed_created", UnansweredRow.reviewed, UnansweredRow.created_at)


class StationRow(Base):
    """A legal-aid centre, station or point; `parent_code` builds the network tree."""

    __tablename__ = "stations"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(16), index=True)
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    hours: Mapped[str] = mapped_column(String(80))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    serves: Mapped[list[Any]] = mapped_column(JSON, default=list)
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime]


class CaseRow(Base):
    """A request for help or a violation report, owned by one station's queue."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The intake a case came from: a second submit of the same intake finds this case.
    intake_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    worker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    station_code: Mapped[str] = mapped_column(String(16), ForeignKey("stations.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # help | report | crisis
    category: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the emergency is (safety-message families: injury, fire, violence, self_harm …).
    crisis_kinds: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    collective: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    employer: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(120))
    workers_affected: Mapped[str | None] = mapped_column(String(16))
    amount_owed: Mapped[int | None] = mapped_column(Integer)
    dispute_began: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(20))
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    legal_basis: Mapped[str] = mapped_column(String(40), default="consent")
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None] = mapped_column(index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(24))
    closed_at: Mapped[datetime | None]
    rating: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CaseEventRow(Base):
    """Every state change and message of a case: who, when, from, to, note."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Base):
    """Notifications written in the same transaction as the change they announce."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


Index("ix_outbox_status_run_at", OutboxRow.status, OutboxRow.run_at)
Index("ix_outbox_chat_message", OutboxRow.chat_id, OutboxRow.message_id)
Index("ix_cases_station_status", CaseRow.station_code, CaseRow.status)


class StationStaffRow(Base):
    """Which stations a staff member works for; `on_duty` staff get case cards by DM."""

    __tablename__ = "station_staff"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    station_code: Mapped[str] = mapped_column(
        String(16), ForeignKey("stations.code"), primary_key=True
    )
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime]


class StationChatRow(Base):
    """A station's duty-staff group chat, linked with /link_station CODE in the group."""

    __tablename__ = "station_chats"

    station_code: Mapped[str] = mapped_column(
        String(16), ForeignKey("stations.code"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    linked_by: Mapped[int] = mapped_column(BigInteger)
    linked_at: Mapped[datetime]


class CaseCardRow(Base):
    """Where a case card was posted, so that every later change edits it in place."""

    __tablename__ = "case_cards"

    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger)


class CannedReplyRow(Base):
    """Replies staff send often (what evidence to bring, the address); admins edit them."""

    __tablename__ = "canned_replies"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


Index("ix_case_cards_chat_message", CaseCardRow.chat_id, CaseCardRow.message_id)
