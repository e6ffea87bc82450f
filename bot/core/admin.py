"""What coordinators and operators do to the program as a whole: list, pause, resume and end
pairs, name coordinators, export and forget. The CLI calls these (and so, later, does chat), so
each rule and each audit entry is written once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from bot.core.coordinators import checked_user_id
from bot.core.errors import InputError
from bot.core.pairs import end_pair, pause_pair, resume_pair
from prompts.messages import render
from storage.forget import Forgotten, find_people, forget, scrub
from storage.models import Cohort, Pair, PairStatus, Person

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
    mentor_id: int
    mentee_id: int


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
            p.mentor_id,
            p.mentee_id,
        )
        for p in session.scalars(query.order_by(Pair.id)).unique()
    ]


def _pair(session: Session, pair_id: int) -> Pair:
    pair = session.get(Pair, pair_id)
    if pair is None:
        raise InputError(render("admin.no_such_pair", pair=pair_id))
    return pair


def _changed(
    core: Core,
    session: Session,
    pair_id: int,
    action: str,
    change: Callable[[Pair, dt.datetime], str],
    by: str,
    **detail: Any,
) -> str:
    pair = _pair(session, pair_id)
    now = core.clock()
    said = change(pair, now)
    core.audit(session, by, f"pair.{action}", "pair", pair.id, **detail)
    return said


def pause(core: Core, session: Session, pair_id: int, weeks: int, *, by: str = CLI) -> str:
    def change(pair: Pair, now: dt.datetime) -> str:
        until = pause_pair(pair, weeks, now.date())
        return render("admin.paused", pair=pair.id, until=until)

    return _changed(core, session, pair_id, "pause", change, by, weeks=weeks)


def resume(core: Core, session: Session, pair_id: int, *, by: str = CLI) -> str:
    def change(pair: Pair, now: dt.datetime) -> str:
        resume_pair(pair)
        return render("admin.resumed", pair=pair.id)

    return _changed(core, session, pair_id, "resume", change, by)


REASON_LIMIT = 500  # characters of why a pair ended, kept for the report


def end(core: Core, session: Session, pair_id: int, reason: str = "", *, by: str = CLI) -> str:
    """End a pair, keeping why (for the report); its history stays."""
    reason = _reason(reason)

    def change(pair: Pair, now: dt.datetime) -> str:
        end_pair(pair, now)
        pair.end_reason = reason or None
        if reason:
            return render("admin.ended_why", pair=pair.id, reason=reason)
        return render("admin.ended", pair=pair.id)

    return _changed(core, session, pair_id, "end", change, by, reason=reason)


def rematch(
    core: Core,
    session: Session,
    pair_id: int,
    *,
    mentor: str | None = None,
    mentee: str | None = None,
    reason: str = "",
    by: str = CLI,
) -> str:
    """End pair ``pair_id`` and match the member who stays with a new mentor or mentee, in a
    new pair of the same program and cohort starting today; each pair keeps its own history
    and the new one gets its welcome at the next tick."""
    if (mentor is None) == (mentee is None):
        raise InputError(render("admin.say_who_joins"))
    old = _pair(session, pair_id)
    if old.status == PairStatus.ENDED:
        raise InputError(render("admin.already_ended", pair=old.id))
    newcomer = _member(session, old.platform, old.mentor.workspace, mentor or mentee or "")
    new_mentor = newcomer if mentor is not None else old.mentor
    new_mentee = newcomer if mentee is not None else old.mentee
    if new_mentor.id == new_mentee.id:
        raise InputError(render("admin.already_in_pair", name=newcomer.display_name, pair=old.id))
    clash = session.scalar(
        select(Pair.id).where(
            Pair.mentor_id == new_mentor.id,
            Pair.mentee_id == new_mentee.id,
            Pair.status != PairStatus.ENDED,
        )
    )
    if clash is not None:
        raise InputError(
            render(
                "admin.already_a_pair",
                mentor=new_mentor.display_name,
                mentee=new_mentee.display_name,
                pair=clash,
            )
        )
    why = _reason(reason) or render("admin.rematched_reason")
    now = core.clock()
    end_pair(old, now)
    old.end_reason = why
    new = Pair(
        program_id=old.program_id,
        cohort_id=old.cohort_id,
        platform=old.platform,
        mentor=new_mentor,
        mentee=new_mentee,
        start_date=now.astimezone(ZoneInfo(old.program.timezone)).date(),
        rematched_from_id=old.id,
        created_at=now,
    )
    session.add(new)
    session.flush()
    core.audit(session, by, "pair.rematch", "pair", old.id, new_pair=new.id, reason=why)
    return render(
        "admin.rematched",
        old=old.id,
        why=why,
        new=new.id,
        mentor=new_mentor.display_name,
        mentee=new_mentee.display_name,
    )


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) > REASON_LIMIT:
        raise InputError(render("admin.reason_too_long", length=len(reason), most=REASON_LIMIT))
    return reason


def _member(session: Session, platform: str, workspace: str, who: str) -> Person:
    """The person ``who`` names on ``platform``, in ``workspace`` (id, user id, e-mail or the
    one name), or a new person there for a user id of that platform the bot has not met."""
    found = [
        person
        for person in find_people(session, who)
        if person.platform == platform and person.workspace == workspace
    ]
    if len(found) > 1:
        listed = "; ".join(describe_person(session, person) for person in found)
        raise InputError(render("admin.several_match", who=who, people=listed))
    if found:
        return found[0]
    user_id = checked_user_id(platform, who)
    person = Person(
        platform=platform, workspace=workspace, platform_user_id=user_id, display_name=user_id
    )
    session.add(person)
    return person


def describe_person(session: Session, person: Person) -> str:
    """ "person 4, Sam (slack U123; mentee in pair 2)": enough to tell two Sams apart."""
    pairs = session.scalars(
        select(Pair).where(or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id))
    ).all()
    roles = [
        render(
            "admin.role_in_pair",
            role=render("pairs.role_mentor" if p.mentor_id == person.id else "pairs.role_mentee"),
            pair=p.id,
        )
        for p in pairs
    ]
    where = "; ".join([f"{person.platform} {person.platform_user_id}", *roles])
    return render("admin.person", number=person.id, name=person.display_name, where=where)


def person_to_forget(session: Session, who: str) -> tuple[int, str]:
    """The one person ``who`` names (id and description); a name that several people have
    (members choose their own) is refused, listing them, so the right one is named by id."""
    people = find_people(session, who)
    if not people and who.strip().isdigit():
        gone = session.get(Person, int(who))
        if gone is not None and gone.platform_user_id is None:
            raise InputError(render("admin.forgotten_already", person=gone.id))
    if not people:
        raise InputError(render("admin.no_one_matches", who=who))
    if len(people) > 1:
        listed = "; ".join(describe_person(session, p) for p in people)
        raise InputError(render("admin.matches_several", who=who, count=len(people), people=listed))
    return people[0].id, describe_person(session, people[0])


def forget_person(core: Core, person_id: int) -> tuple[Forgotten, bool]:
    """Forget one person, then scrub the database file of every copy; the flag says whether
    the log could be emptied at once (another process may hold it a little longer)."""

    def work(session: Session) -> Forgotten:
        person = session.get(Person, person_id)
        if person is None or person.platform_user_id is None:
            raise InputError(render("admin.not_there", person=person_id))
        done = forget(session, [person])
        core.audit(session, CLI, "person.forget", "person", person.id)
        return done

    done = core.transaction(work)
    return done, scrub(core.sessions.kw["bind"])
