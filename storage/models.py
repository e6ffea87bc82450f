"""The database tables, as typed SQLAlchemy 2.x models.

Every timestamp is stored timezone-aware in UTC (``UtcDateTime``), so SQLite and PostgreSQL
agree and nothing downstream has to guess an offset.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A datetime column that only accepts aware values and always returns UTC-aware ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PairStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class GoalStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class DeliveryKind(StrEnum):
    """What a delivery carries; check-ins are deliveries too, so they share exactly-once."""

    WELCOME = "welcome"
    SUGGESTION = "suggestion"
    CHECKIN = "checkin"
    MIDPOINT = "midpoint"
    CLOSING = "closing"
    PROGRAM_CLOSING = "program_closing"
    ANNOUNCEMENT = "announcement"
    RESUMED = "resumed"  # a pause that ran out by itself
    REMINDER = "reminder"  # a reflection not yet answered, a week on


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    workspace: Mapped[str] = mapped_column(String(64), default="", server_default="")
    interval_weeks: Mapped[int] = mapped_column(Integer, default=3)
    weekday: Mapped[int] = mapped_column(Integer, default=1)  # Monday is 0, as in datetime
    local_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(10, 0))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    pairs_channel_id: Mapped[str | None] = mapped_column(String(32))  # Discord: pair threads
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="program")
    earlier_rhythms: Mapped[list[ProgramRhythm]] = relationship(
        order_by="ProgramRhythm.until", cascade="all, delete-orphan", passive_deletes=True
    )


class ProgramRhythm(Base):
    """A rhythm the program had until a coordinator changed it (``until``): the messages due
    before the change keep following it, so a change never re-sends or skips a round."""

    __tablename__ = "program_rhythms"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    until: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    interval_weeks: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[dt.time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    end_date: Mapped[dt.date] = mapped_column(Date)


class Cohort(Base):
    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    program: Mapped[Program] = relationship(back_populates="cohorts")


class Person(Base):
    """Someone on one platform; the same human on Slack and Discord is two people here. A
    user id is unique within its ``workspace`` only (the Slack team; empty where the platform
    or the install has just one)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "workspace", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="", server_default="")
    platform_user_id: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Set by the member (`/mentoring timezone`): the platform's zone no longer overwrites it.
    timezone_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    unreachable_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Pair(Base):
    __tablename__ = "pairs"
    __table_args__ = (Index("ix_pairs_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=PairStatus.ACTIVE)
    paused_until: Mapped[dt.date | None] = mapped_column(Date)
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    start_date: Mapped[dt.date] = mapped_column(Date)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(500))
    rematched_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairs.id", ondelete="SET NULL", name="fk_pairs_rematched_from_id_pairs")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The last goal and meeting numbers given out: raised in one UPDATE … RETURNING, so two
    # members adding at the same instant get different numbers (a deleted number is not reused).
    goals_numbered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    meetings_numbered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    program: Mapped[Program] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id])

    def members(self) -> tuple[Person, Person]:
        return (self.mentor, self.mentee)

    def partner_of(self, person_id: int) -> Person:
        return self.mentee if person_id == self.mentor_id else self.mentor


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("pair_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # stable within the pair, shown to users
    text: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=GoalStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    pair: Mapped[Pair] = relationship()
    created_by: Mapped[Person | None] = relationship()


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("pair_id", "number"),
        Index("ix_meetings_pair_met_on_minutes", "pair_id", "met_on", "duration_minutes"),
        Index("ix_meetings_met_on_pair_person", "met_on", "pair_id", "logged_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    met_on: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    activity_id: Mapped[str | None] = mapped_column(String(100))
    activity_title: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    notes_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)  # how useful it was, 1–5, if said
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    pair: Mapped[Pair] = relationship()
    logged_by: Mapped[Person | None] = relationship()
    goals: Mapped[list[Goal]] = relationship(secondary="meeting_goals")


class MeetingGoal(Base):
    """Which goals a meeting moved."""

    __tablename__ = "meeting_goals"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True
    )


class Announcement(Base):
    """What a coordinator told every active pair of a program (or of one cohort): delivered to
    each pair as a delivery of its own (``round_key`` ``a`` + id), exactly once like rounds."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    program: Mapped[Program] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    by: Mapped[Person | None] = relationship()


class Reflection(Base):
    """A member's answer to the midpoint or closing reflection (one per member and delivery;
    answering again replaces it). The answers go to the coordinators, as the form says; the
    free text reaches a funder report only when ``shared`` (its writer said so)."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint("delivery_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(16))  # midpoint, closing
    score: Mapped[int] = mapped_column(Integer)  # how it is going, 1–5
    worked: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")
    goals_reached: Mapped[list[int]] = mapped_column(JSON, default=list)  # goal numbers
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    person: Mapped[Person] = relationship()


class CompetencyRating(Base):
    """Where a member places themselves (1–4) on one competency area, at kickoff or closing;
    the report shows the change per area between the two."""

    __tablename__ = "competency_ratings"
    __table_args__ = (UniqueConstraint("pair_id", "person_id", "phase", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(16))  # kickoff, closing
    area: Mapped[str] = mapped_column(String(64))  # the area's id in the competency list
    level: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class CoordinatorDigest(Base):
    """A coordinator's weekly digest, one per coordinator and week: written before it is sent,
    so two tickers never both send it. ``seen`` holds a hash of each attention reason it told,
    so the next week tells only what is new, and no member's name is kept here."""

    __tablename__ = "coordinator_digests"
    __table_args__ = (UniqueConstraint("coordinator", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator: Mapped[str] = mapped_column(String(100))  # platform:user id
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2026-W49
    status: Mapped[str] = mapped_column(String(16))  # sending, sent, empty, failed
    seen: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Delivery(Base):
    """One message owed to a pair: written before sending, marked after; one per pair and round."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("pair_id", "kind", "round_key", name="uq_deliveries_pair_kind_round"),
        Index("ix_deliveries_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    round_key: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    activity_id: Mapped[str | None] = mapped_column(String(100))
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE")
    )
    reminds_id: Mapped[int | None] = mapped_column(  # a reminder: the reflection it is about
        ForeignKey("deliveries.id", ondelete="CASCADE")
    )
    swaps: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    # A claim holds the row until this wall-clock moment (renewed while its tick works on it);
    # ``next_attempt_at`` is when a retry is due, in the tick's own time.
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # When the first real send began: a re-send searches the conversation from here.
    first_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    message_ref: Mapped[str | None] = mapped_column(String(200))
    conversation_ref: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(String(20))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    pair: Mapped[Pair] = relationship()
    answered_by: Mapped[Person | None] = relationship(foreign_keys=[answered_by_id])
    announcement: Mapped[Announcement | None] = relationship()
    reminds: Mapped[Delivery | None] = relationship(remote_side=[id], foreign_keys=[reminds_id])

    @property
    def idempotency_key(self) -> str:
        """What adapters attach to the platform message so a re-send can find the first one."""
        return f"mentorbot-delivery-{self.id}"


class Response(Base):
    """Every click on a delivery's buttons, kept as it happened.

    A click on **We need help** is a help request; a coordinator marks it handled
    (``handled_at``, and ``handled_by_id`` when it was done in chat rather than from the
    command line), and the summary then reports it as handled instead of needing attention.
    """

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    activity_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Draft(Base):
    """What a member typed into a command or form that was refused, kept so a button can open
    the form again filled in with it. Only its writer can open it; a newer draft of the same
    form replaces it, any draft is deleted once a week old (at the next refusal), and with the
    member's other data when they are forgotten; it is never exported."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[str] = mapped_column(String(40))
    context: Mapped[str] = mapped_column(String(80))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Coordinator(Base):
    __tablename__ = "coordinators"
    __table_args__ = (UniqueConstraint("platform", "workspace", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="", server_default="")
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")


class AuditEvent(Base):
    """Who changed what, for coordinators answering "what happened to this pair?"."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @staticmethod
    def person_actor(person_id: int) -> str:
        """How a member is named as an actor: by their row, never by a platform id."""
        return f"person:{person_id}"


class PostedMessage(Base):
    """A message the bot posted into a pair's conversation that names a member or quotes what
    they wrote (a goal, a meeting notice), kept so forgetting the member can delete it from the
    platform too. ``refs`` lists ``channel/message`` ids (several when it went to members' DMs);
    ``retract`` marks it for deletion at the next tick."""

    __tablename__ = "posted_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    refs: Mapped[str] = mapped_column(String(400))
    writer_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    quoted_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    retract: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class HandledRequest(Base):
    """A platform request already acted on (a Slack ``trigger_id``), so a replay of the same
    signed request is not applied twice; rows older than a day are pruned."""

    __tablename__ = "handled_requests"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class CommandCount(Base):
    """How many commands a member sent in one minute, for the per-member rate limit (kept in
    the database so several processes share it); rows of past minutes are pruned."""

    __tablename__ = "command_counts"

    actor: Mapped[str] = mapped_column(String(120), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
