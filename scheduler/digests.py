"""Coordinators' weekly digest: what changed since the last one, by direct message.

Once a week, at the first running program's weekday and local time, each coordinator on each
platform the bot runs on gets one message: pairs that newly asked for help, deliveries that
newly failed, pairs newly needing attention for any other reason, and the reflections members
answered since the last digest (their answers are for the coordinators). When nothing is new,
nothing is sent (the week is still recorded). The week's row is written before the message is
sent, under a unique (coordinator, week) pair, so two tickers never both send it; a send that
fails removes the row, so the next tick tries again (one the platform refuses for good, such as
a workspace that uninstalled the app, is kept as failed). What was told is kept as hashes of its
reasons, so the next digest tells only what is new and no member's name is stored here. A
coordinator of one workspace (``CoordinatorRef``) is told only of that workspace's programs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.attention import failure_reason, help_reason
from bot.core.coordinators import CoordinatorRef, coordinator_refs
from bot.core.grammar import shorten
from bot.core.outbound import DeliveryError, Outbound
from bot.core.replies import Message, said
from bot.core.rhythm import local_moment
from bot.core.summary import compute_summary
from bot.settings import Settings
from storage.db import run_in_transaction
from storage.models import CoordinatorDigest, Pair, Person, Program, Reflection
from storage.summary import PairRow

log = logging.getLogger(__name__)

SHOWN = 15  # lines a section shows; the summary has the rest
QUOTED = 200  # characters of each reflection answer a digest quotes


class Digests:
    """Sends the week's digests that are due, once each."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, outbounds: Mapping[str, Outbound]
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.outbounds = outbounds

    async def send_due(self, now: dt.datetime) -> int:
        """Send every digest due at ``now``; returns how many went."""
        plans = await asyncio.to_thread(
            run_in_transaction, self.sessions, lambda s: self._plan(s, now)
        )
        sent = 0
        for platform, ref, week, message in plans:
            key = _key(platform, ref)
            try:
                await self.outbounds[platform].send_direct(
                    ref.user_id, message, workspace=ref.workspace or ""
                )
            except Exception as error:  # told again at the next tick, unless refused for good
                log.warning("could not send %s their digest: %s", key, error)
                if isinstance(error, DeliveryError) and error.permanent:
                    forget = partial(_mark, key=key, week=week, status="failed")
                else:
                    forget = partial(_forget_row, key=key, week=week)
                await asyncio.to_thread(run_in_transaction, self.sessions, forget)
                continue
            await asyncio.to_thread(
                run_in_transaction, self.sessions, lambda s, k=key, w=week: _mark(s, k, w, "sent")
            )
            sent += 1
        return sent

    def _plan(
        self, session: Session, now: dt.datetime
    ) -> list[tuple[str, CoordinatorRef, str, Message]]:
        week = _due_week(session, now)
        if week is None:
            return []
        by_workspace: dict[str, dict[tuple[int, str], PairRow]] = {}
        plans = []
        for platform in self.outbounds:
            for ref in coordinator_refs(self.settings, session, platform):
                workspace = ref.workspace or ""
                if workspace not in by_workspace:
                    summary = compute_summary(session, now, workspace=workspace)
                    by_workspace[workspace] = {
                        (row.pair_id, reason): row
                        for row in summary.needing_attention
                        for reason in row.attention
                    }
                reasons = by_workspace[workspace]
                key = _key(platform, ref)
                if session.scalar(
                    select(CoordinatorDigest.id).where(
                        CoordinatorDigest.coordinator == key, CoordinatorDigest.week == week
                    )
                ):
                    continue
                seen = set(_last_seen(session, key))
                new = {k: row for k, row in reasons.items() if _hash(*k) not in seen}
                since = _last_digest_at(session, key, now)
                answered = _reflections_since(session, since, now, ref.workspace)
                row = CoordinatorDigest(
                    coordinator=key,
                    week=week,
                    status="sending" if new or answered else "empty",
                    seen=sorted(_hash(*k) for k in reasons),
                    created_at=now,
                )
                try:
                    with session.begin_nested():
                        session.add(row)
                except IntegrityError:  # another ticker has this one
                    continue
                if new or answered:
                    plans.append((platform, ref, week, _message(new, answered)))
        return plans


def _key(platform: str, ref: CoordinatorRef) -> str:
    """Whose digest a row is: ``platform:user`` (``platform:workspace:user`` for a
    coordinator of one workspace)."""
    return ":".join(part for part in (platform, ref.workspace, ref.user_id) if part)


def _due_week(session: Session, now: dt.datetime) -> str | None:
    """This ISO week, once its digest moment (the first running program's weekday and local
    time) has come; None before it, or when no program is running."""
    program = session.scalar(
        select(Program).where(Program.start_date <= now.date()).order_by(Program.id).limit(1)
    )
    if program is None or now.date() > program.end_date + dt.timedelta(days=7):
        return None
    zone = ZoneInfo(program.timezone)
    today = now.astimezone(zone).date()
    day = today - dt.timedelta(days=today.weekday() - program.weekday)
    if now < local_moment(day, program.local_time, zone):
        return None
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def _message(new: Mapping[tuple[int, str], PairRow], answered: list[str]) -> Message:
    help_lines, failed_lines, other_lines = [], [], []
    for (pair_id, reason), row in sorted(new.items(), key=lambda item: item[0]):
        line = f"• **{pair_id}** {said(row.mentor)} & {said(row.mentee)}: {reason}"
        if reason == help_reason(row):
            help_lines.append(line)
        elif reason == failure_reason(row):
            failed_lines.append(line)
        else:
            other_lines.append(line)
    lines = ["**Your weekly mentoring digest**: what is new since the last one."]
    for title, group in (
        ("Asked for help", help_lines),
        ("Deliveries that failed", failed_lines),
        ("Newly needing attention", other_lines),
        ("Reflections in", answered),
    ):
        if group:
            lines.append(f"**{title}** ({len(group)})")
            lines += group[:SHOWN]
            if len(group) > SHOWN:
                lines.append(
                    f"_… and {len(group) - SHOWN} more: `/mentoring-summary` has them all._"
                )
    return Message("\n".join(lines))


def _last_digest_at(session: Session, key: str, now: dt.datetime) -> dt.datetime:
    """When ``key``'s last digest was planned; a week ago for a first one."""
    last = session.scalar(
        select(func.max(CoordinatorDigest.created_at)).where(CoordinatorDigest.coordinator == key)
    )
    return last if last is not None else now - dt.timedelta(days=7)


def _reflections_since(
    session: Session, since: dt.datetime, now: dt.datetime, workspace: str | None
) -> list[str]:
    """A line for each reflection answered from ``since`` to ``now`` (in ``workspace``'s
    programs, where the coordinator has one): who, which, the score and the answers
    (shortened), for the coordinators the form told they go to."""
    query = (
        select(Reflection, Person.display_name)
        .join(Person, Person.id == Reflection.person_id)
        .where(Reflection.created_at > since, Reflection.created_at <= now)
        .order_by(Reflection.pair_id, Reflection.created_at)
    )
    if workspace:
        in_workspace = select(Pair.id).join(Program).where(Program.workspace == workspace)
        query = query.where(Reflection.pair_id.in_(in_workspace))
    lines = []
    for answer, name in session.execute(query):
        line = f"• **{answer.pair_id}** {said(name)}, {answer.phase}: {answer.score} of 5"
        for label, text in (("worked", answer.worked), ("would change", answer.change)):
            if text:
                line += f"; {label}: {said(shorten(' '.join(text.split()), QUOTED))}"
        lines.append(line)
    return lines


def _last_seen(session: Session, key: str) -> list[str]:
    return (
        session.scalar(
            select(CoordinatorDigest.seen)
            .where(CoordinatorDigest.coordinator == key)
            .order_by(CoordinatorDigest.id.desc())
            .limit(1)
        )
        or []
    )


def _hash(pair_id: int, reason: str) -> str:
    return hashlib.sha256(f"{pair_id}:{reason}".encode()).hexdigest()[:16]


def _mark(session: Session, key: str, week: str, status: str) -> None:
    session.execute(
        update(CoordinatorDigest)
        .where(CoordinatorDigest.coordinator == key, CoordinatorDigest.week == week)
        .values(status=status)
    )


def _forget_row(session: Session, key: str, week: str) -> None:
    session.execute(
        delete(CoordinatorDigest).where(
            CoordinatorDigest.coordinator == key, CoordinatorDigest.week == week
        )
    )
