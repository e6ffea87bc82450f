"""What coordinators and operators do to the program as a whole: list, pause, resume and end
pairs, name coordinators, export and forget. The CLI calls these (and so, later, does chat), so
each rule and each audit entry is written once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.core.errors import InputError
from bot.core.pairs import end_pair, pause_pair, resume_pair
from bot.settings import PLATFORMS
from storage.forget import Forgotten, forget
from storage.models import Cohort, Coordinator, Pair, Person

if TYPE_CHECKING:
    from bot.core.service import Core

CLI = "cli"


@dataclass(frozen=True)
class PairListing:
    pair_id: int
    program: str
    cohort: str
    platform: str
    mentor: str
    mentee: str
    status: str
    started: dt.date


def list_pairs(session: Session, status: str | None, cohort: str | None) -> list[PairListing]:
    query = select(Pair).options(
        joinedload(Pair.mentor),
        joinedload(Pair.mentee),
        joinedload(Pair.program),
        joinedload(Pair.cohort),
    )
    if status:
        query = query.where(Pair.status == status)
    if cohort:
        query = query.join(Cohort).where(Cohort.name == cohort)
    return [
        PairListing(
            p.id,
            p.program.name,
            p.cohort.name if p.cohort else "",
            p.platform,
            p.mentor.display_name,
            p.mentee.display_name,
            p.status,
            p.start_date,
        )
        for p in session.scalars(query.order_by(Pair.id)).unique()
    ]


def _pair(session: Session, pair_id: int) -> Pair:
    pair = session.get(Pair, pair_id)
    if pair is None:
        raise InputError(f"There is no pair {pair_id}; `mentorbot pairs list` shows them.")
    return pair


def _changed(
    core: Core,
    session: Session,
    pair_id: int,
    action: str,
    change: Callable[[Pair, dt.datetime], str],
    **detail: Any,
) -> str:
    pair = _pair(session, pair_id)
    now = core.clock()
    said = change(pair, now)
    core.audit(session, CLI, f"pair.{action}", "pair", pair.id, **detail)
    return said


def pause(core: Core, session: Session, pair_id: int, weeks: int) -> str:
    def change(pair: Pair, now: dt.datetime) -> str:
        until = pause_pair(pair, weeks, now.date())
        return f"Pair {pair.id} paused until {until}."

    return _changed(core, session, pair_id, "pause", change, weeks=weeks)


def resume(core: Core, session: Session, pair_id: int) -> str:
    def change(pair: Pair, now: dt.datetime) -> str:
        resume_pair(pair)
        return f"Pair {pair.id} resumed."

    return _changed(core, session, pair_id, "resume", change)


def end(core: Core, session: Session, pair_id: int) -> str:
    def change(pair: Pair, now: dt.datetime) -> str:
        end_pair(pair, now)
        return f"Pair {pair.id} ended; its goals and meetings are kept."

    return _changed(core, session, pair_id, "end", change)


def add_coordinator(
    core: Core, session: Session, platform: str, user_id: str, name: str = ""
) -> str:
    if platform not in PLATFORMS:
        raise InputError(f"“{platform}” is not a platform; use one of {', '.join(PLATFORMS)}.")
    found = session.scalar(
        select(Coordinator).where(
            Coordinator.platform == platform, Coordinator.platform_user_id == user_id
        )
    )
    if found:
        return f"{user_id} on {platform} is already a coordinator."
    coordinator = Coordinator(platform=platform, platform_user_id=user_id, display_name=name)
    session.add(coordinator)
    session.flush()
    core.audit(session, CLI, "coordinator.add", "coordinator", coordinator.id, platform=platform)
    return f"{user_id} on {platform} is now a coordinator."


def list_coordinators(session: Session) -> list[tuple[str, str, str]]:
    """(platform, user id, name) of the coordinators kept in the database."""
    return [
        (c.platform, c.platform_user_id, c.display_name)
        for c in session.scalars(select(Coordinator).order_by(Coordinator.id))
    ]


def forget_people(core: Core, session: Session, people: list[Person]) -> Forgotten:
    done = forget(session, people)
    for person in people:
        core.audit(session, CLI, "person.forget", "person", person.id)
    return done
