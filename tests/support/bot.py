"""Building a real core over a fresh, migrated database, for tests of every layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.replies import Actor, Message, Reply, unmarked
from bot.core.service import Core
from bot.settings import Settings
from prompts.catalog import load_catalog
from storage.db import make_engine, make_session_factory, run_in_transaction, upgrade
from storage.models import Cohort, Delivery, Pair, Person, Program


def migrated_sqlite(folder: Path) -> str:
    """A SQLite URL in ``folder`` with the schema created by the migrations."""
    url = f"sqlite:///{folder / 'mentorbot.db'}"
    upgrade(url)
    return url


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def make_core(url: str, clock: Clock, **settings: object) -> Core:
    values = {"DATABASE_URL": url, "MENTORBOT_COORDINATORS": "casey", **settings}
    config = Settings(**values)  # type: ignore[arg-type]
    sessions = make_session_factory(make_engine(url))
    return Core(sessions, load_catalog(), config, clock)


def actor(user_id: str, name: str | None = None, timezone: str | None = None) -> Actor:
    return Actor("console", user_id, name or user_id.title(), timezone)


@dataclass
class PairSpec:
    mentor: str = "ada"
    mentee: str = "ben"
    start: dt.date = dt.date(2026, 9, 1)
    cohort: str | None = "Fall"
    platform: str = "console"
    mentee_timezone: str | None = None
    mentor_name: str | None = None  # display names; the user id, capitalised, when not given
    mentee_name: str | None = None
    conversation_id: str | None = None
    imported: dt.datetime | None = None  # when it was imported: its start, unless given
    workspace: str = ""  # the members' Slack workspace in a many-workspace install


@dataclass
class World:
    """A program and its pairs, made directly in the database."""

    core: Core
    program_id: int = 0
    pair_ids: list[int] = field(default_factory=list)


def add_program(
    core: Core,
    *,
    start: dt.date = dt.date(2026, 9, 1),
    end: dt.date = dt.date(2027, 8, 31),
    timezone: str = "America/New_York",
    interval_weeks: int = 3,
    weekday: int = 1,
    local_time: dt.time = dt.time(10, 0),
    name: str = "Test program",
    workspace: str = "",
) -> int:
    def work(session: object) -> int:
        program = Program(
            name=name,
            workspace=workspace,
            start_date=start,
            end_date=end,
            timezone=timezone,
            interval_weeks=interval_weeks,
            weekday=weekday,
            local_time=local_time,
        )
        session.add(program)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        return program.id

    return run_in_transaction(core.sessions, work)


def add_pair(core: Core, program_id: int, spec: PairSpec | None = None) -> int:
    spec = spec or PairSpec()

    def person(session: object, user_id: str, name: str | None, timezone: str | None) -> Person:
        from sqlalchemy import select

        found = session.scalar(
            select(Person).where(  # type: ignore[attr-defined]
                Person.platform == spec.platform,
                Person.workspace == spec.workspace,
                Person.platform_user_id == user_id,
            )
        )
        if found:
            return found
        created = Person(
            platform=spec.platform,
            workspace=spec.workspace,
            platform_user_id=user_id,
            display_name=name or user_id.title(),
            timezone=timezone,
        )
        session.add(created)  # type: ignore[attr-defined]
        return created

    def work(session: object) -> int:
        from sqlalchemy import select

        cohort = None
        if spec.cohort:
            cohort = session.scalar(
                select(Cohort).where(  # type: ignore[attr-defined]
                    Cohort.program_id == program_id, Cohort.name == spec.cohort
                )
            )
            cohort = cohort or Cohort(program_id=program_id, name=spec.cohort)
        pair = Pair(
            program_id=program_id,
            cohort=cohort,
            platform=spec.platform,
            mentor=person(session, spec.mentor, spec.mentor_name, None),
            mentee=person(session, spec.mentee, spec.mentee_name, spec.mentee_timezone),
            start_date=spec.start,
            conversation_id=spec.conversation_id,
            created_at=spec.imported or dt.datetime.combine(spec.start, dt.time(0), dt.UTC),
        )
        session.add(pair)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        return pair.id

    return run_in_transaction(core.sessions, work)


def rows(core: Core, model: type, *where: object) -> list[Any]:
    """Stored rows of ``model`` (detached, attributes loaded)."""
    from sqlalchemy import select

    from storage.db import session_scope

    with session_scope(core.sessions) as session:
        found = list(session.scalars(select(model).where(*where)))
        session.expunge_all()
        return found


# What a refused command does write, by design: the draft its form button opens, the count of
# the member's commands this minute, and the request id that stops a replay.
BOOKKEEPING = {"drafts", "command_counts", "handled_requests"}


def snapshot(core: Core) -> dict[str, list[tuple]]:
    """Every row of every table but the ``BOOKKEEPING`` a refusal keeps."""
    from sqlalchemy import inspect, text

    with core.sessions() as session:
        tables = inspect(session.get_bind()).get_table_names()
        names = [t for t in tables if t not in BOOKKEEPING]
        return {
            name: sorted(map(tuple, session.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in names
        }


def text_of(reply: Reply) -> str:
    """The private text of a reply (fails the test if there is none)."""
    assert reply.message is not None, f"expected a message, got {reply!r}"
    return unmarked(reply.message.text)


def post_texts(reply: Reply) -> list[str]:
    return [unmarked(post.message.text) for post in reply.posts]


def button_actions(message: Message) -> dict[str, str]:
    return {button.label: button.action for button in message.buttons}


def a_sent_midpoint(core: Core, message_ref: str = "1.0") -> None:
    """The (only) pair's midpoint reflection has reached it."""
    from sqlalchemy import select

    pair_id = run_in_transaction(core.sessions, lambda s: s.scalar(select(Pair.id)))
    sent = Delivery(
        pair_id=pair_id,
        kind="midpoint",
        round_key="r4",
        due_at=core.clock(),
        status="sent",
        message_ref=message_ref,
        sent_at=core.clock(),
    )
    run_in_transaction(core.sessions, lambda s: s.add(sent))


def answer_a_reflection(core: Core, who: Actor, worked: str) -> None:
    """The (only) pair's midpoint reflection has reached it, and ``who`` answers it, not
    letting the report quote them."""
    a_sent_midpoint(core)
    form = core.command(who, "mentoring", "reflect").form
    assert form is not None, "the reflection form opens"
    core.submit(who, form.form_id, form.context, {"score": "3", "worked": worked, "share": "no"})
