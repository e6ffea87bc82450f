"""Announcements: a coordinator tells every active pair of a program (or of one cohort) one
thing. The text is stored once; the scheduler gives each pair its own delivery of it (kind
``announcement``, round ``a`` + id), so it goes exactly once, paced, like a round, and a pair
that is paused when it is made does not get it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.errors import InputError
from bot.core.replies import said
from prompts.messages import render
from storage.models import Announcement, Cohort, Delivery, DeliveryKind, Pair, PairStatus, Program

TEXT_LIMIT = 3000


def announce(
    session: Session,
    program: Program,
    cohort_name: str | None,
    text: str,
    by_id: int | None,
    now: dt.datetime,
) -> str:
    """Store the announcement; the next tick posts it. Says where it goes and to how many."""
    text = text.strip()
    if not text:
        raise InputError(render("announcements.empty"), field="text")
    if len(text) > TEXT_LIMIT:
        raise InputError(
            render("announcements.too_long", length=f"{len(text):,}", most=f"{TEXT_LIMIT:,}"),
            field="text",
        )
    cohort = None
    if cohort_name:
        cohort = session.scalar(
            select(Cohort).where(
                Cohort.program_id == program.id, func.lower(Cohort.name) == cohort_name.casefold()
            )
        )
        if cohort is None:
            raise InputError(
                render(
                    "announcements.no_such_cohort",
                    program=said(program.name),
                    cohort=said(cohort_name),
                    cohorts=_cohorts(session, program),
                )
            )
    reached = session.scalar(select(func.count(Pair.id)).where(*_in_scope(program.id, cohort)))
    if not reached:
        raise InputError(
            render("announcements.no_one_in_cohort", cohort=said(cohort.name))
            if cohort
            else render("announcements.no_one", program=said(program.name))
        )
    item = Announcement(
        program_id=program.id,
        cohort_id=cohort.id if cohort else None,
        text=text,
        by_id=by_id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    if cohort:
        return render(
            "announcements.queued_cohort",
            number=item.id,
            count=reached,
            cohort=said(cohort.name),
            program=said(program.name),
        )
    return render("announcements.queued", number=item.id, count=reached, program=said(program.name))


def owed_announcements(session: Session, now: dt.datetime, window: dt.timedelta) -> list[dict]:
    """Delivery rows for each recent announcement and each pair it is for that has none yet:
    pairs active (not paused) now and already there when it was made."""
    rows = []
    recent = session.scalars(
        select(Announcement).where(
            Announcement.created_at >= now - window, Announcement.created_at <= now
        )
    ).all()
    for item in recent:
        sent = select(Delivery.id).where(
            Delivery.pair_id == Pair.id,
            Delivery.kind == DeliveryKind.ANNOUNCEMENT,
            Delivery.round_key == f"a{item.id}",
        )
        pair_ids = session.scalars(
            select(Pair.id).where(
                *_in_scope(item.program_id, item.cohort),
                Pair.created_at <= item.created_at,
                ~sent.exists(),
            )
        )
        rows += [
            {
                "pair_id": pair_id,
                "kind": DeliveryKind.ANNOUNCEMENT.value,
                "round_key": f"a{item.id}",
                "due_at": item.created_at,
                "announcement_id": item.id,
            }
            for pair_id in pair_ids
        ]
    return rows


def _in_scope(program_id: int, cohort: Cohort | None) -> list:
    scope = [Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE]
    if cohort is not None:
        scope.append(Pair.cohort_id == cohort.id)
    return scope


def _cohorts(session: Session, program: Program) -> str:
    names = session.scalars(select(Cohort.name).where(Cohort.program_id == program.id)).all()
    return ", ".join(f"“{said(name)}”" for name in sorted(names)) or render(
        "announcements.no_cohorts"
    )
