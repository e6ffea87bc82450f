"""A sample program for trying the bot: pairs, goals, meetings and answered suggestions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.rhythm import rhythm_for, slots
from prompts.catalog import Catalog
from storage.models import (
    Cohort,
    Coordinator,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Goal,
    GoalStatus,
    Meeting,
    Pair,
    Person,
    Program,
    Response,
)

PROGRAM_NAME = "Youth Services Mentoring (demo)"
PLATFORM = "console"


@dataclass(frozen=True)
class DemoPerson:
    user_id: str
    name: str
    timezone: str


PEOPLE = (
    DemoPerson("maria", "Maria", "America/New_York"),
    DemoPerson("dev", "Dev", "America/Chicago"),
    DemoPerson("ben", "Ben", "America/New_York"),
    DemoPerson("aisha", "Aisha", "America/Los_Angeles"),
    DemoPerson("lee", "Lee", "America/Chicago"),
)
COORDINATOR = DemoPerson("casey", "Casey", "America/New_York")
GUIDE = "ben"  # whom the console starts as: a mentee in one pair with goals and meetings
# mentor, mentee, cohort, days since start, goals (text, done?), meetings (days ago, minutes)
PAIRS = (
    (
        "maria",
        "ben",
        "Fall 2026",
        70,
        (
            ("Perform a mock interview before applying for branch manager jobs", True),
            ("Create a book list of diverse titles for my storytime", False),
        ),
        ((60, 45), (38, 60), (15, 50)),
    ),
    (
        "maria",
        "aisha",
        "Fall 2026",
        70,
        (("Learn more about school librarianship", False),),
        ((55, 30),),
    ),
    (
        "dev",
        "lee",
        "Spring 2027",
        49,
        (("Look for opportunities to attend more conferences and trainings", False),),
        (),
    ),
)


class DemoExists(RuntimeError):
    """The database already holds a program; the demo only fills a fresh one."""


def fill_demo_if_empty(session: Session, catalog: Catalog, now: dt.datetime) -> bool:
    """Fill an empty database with the demo; whether it did."""
    if session.scalar(select(Program.id).limit(1)) is not None:
        return False
    fill_demo(session, catalog, now)
    return True


def fill_demo(session: Session, catalog: Catalog, now: dt.datetime) -> Program:
    """Create the demo program in an empty database, as of ``now``."""
    if session.scalar(select(Program.id).limit(1)) is not None:
        raise DemoExists(
            "The database already has a program; the demo fills a fresh one "
            "(set DATABASE_URL to a new file, e.g. sqlite:///demo.db)."
        )
    today = now.date()
    program = Program(
        name=PROGRAM_NAME,
        start_date=today - dt.timedelta(days=70),
        end_date=today + dt.timedelta(days=295),
        timezone="America/New_York",
        interval_weeks=3,
        weekday=1,
        local_time=dt.time(10, 0),
    )
    session.add(program)
    people = {
        p.user_id: Person(
            platform=PLATFORM, platform_user_id=p.user_id, display_name=p.name, timezone=p.timezone
        )
        for p in PEOPLE
    }
    session.add_all(people.values())
    session.add(
        Coordinator(
            platform=PLATFORM, platform_user_id=COORDINATOR.user_id, display_name=COORDINATOR.name
        )
    )
    session.add(
        Person(
            platform=PLATFORM,
            platform_user_id=COORDINATOR.user_id,
            display_name=COORDINATOR.name,
            timezone=COORDINATOR.timezone,
        )
    )
    cohorts = {name: Cohort(program=program, name=name) for name in ("Fall 2026", "Spring 2027")}
    session.add_all(cohorts.values())
    session.flush()
    activities = [a.id for a in catalog.activities if a.schedule is None]
    for index, (mentor, mentee, cohort, age, goals, meetings) in enumerate(PAIRS):
        pair = Pair(
            program=program,
            cohort=cohorts[cohort],
            platform=PLATFORM,
            mentor=people[mentor],
            mentee=people[mentee],
            start_date=today - dt.timedelta(days=age),
            conversation_id=None,
        )
        session.add(pair)
        session.flush()
        pair.conversation_id = f"console-pair-{pair.id}"
        for number, (text, done) in enumerate(goals, start=1):
            created = now - dt.timedelta(days=age - 3)
            session.add(
                Goal(
                    pair=pair,
                    number=number,
                    text=text,
                    created_by=people[mentee],
                    created_at=created,
                    status=GoalStatus.DONE if done else GoalStatus.OPEN,
                    closed_at=now - dt.timedelta(days=20) if done else None,
                )
            )
        for number, (days_ago, minutes) in enumerate(meetings, start=1):
            session.add(
                Meeting(
                    pair=pair,
                    number=number,
                    met_on=today - dt.timedelta(days=days_ago),
                    duration_minutes=minutes,
                    logged_by=people[mentor if number % 2 else mentee],
                    notes="(demo notes)",
                    created_at=now - dt.timedelta(days=days_ago),
                    next_steps="Each bring three questions" if number == len(meetings) else "",
                )
            )
        _past_deliveries(session, pair, activities[index * 4 :], now, people[mentee])
    return program


def _past_deliveries(
    session: Session, pair: Pair, activity_ids: list[str], now: dt.datetime, answerer: Person
) -> None:
    """Suggestions already sent for the rounds that are past, some answered."""
    session.flush()
    session.refresh(pair, ["program", "mentor", "mentee"])
    for number, slot in enumerate(s for s in slots(rhythm_for(pair)) if s.due_at <= now):
        if slot.kind == DeliveryKind.CHECKIN:
            continue
        answered = number % 2 == 0
        delivery = Delivery(
            pair=pair,
            kind=slot.kind,
            round_key=slot.round_key,
            due_at=slot.due_at,
            activity_id=activity_ids[number % len(activity_ids)],
            status=DeliveryStatus.SENT,
            attempts=1,
            sent_at=slot.due_at,
            message_ref=f"demo-{pair.id}-{slot.round_key}",
            conversation_ref=pair.conversation_id,
            answer="accept" if answered else None,
            answered_by=answerer if answered else None,
            answered_at=slot.due_at + dt.timedelta(hours=3) if answered else None,
        )
        session.add(delivery)
        if answered:
            session.flush()
            session.add(
                Response(
                    delivery_id=delivery.id,
                    person_id=answerer.id,
                    action="accept",
                    activity_id=delivery.activity_id,
                    created_at=delivery.answered_at,
                )
            )
