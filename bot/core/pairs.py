"""Which pair a command is about, and the pair lifecycle (pause, resume, end)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from bot.core.context import Request
from bot.core.errors import InputError
from storage.models import Pair, PairStatus

MENTION = re.compile(r"(?<!\S)@(\S+)")
MAX_PAUSE_WEEKS = 26


def member_pairs(session: Session, person_id: int, *, include_ended: bool = False) -> list[Pair]:
    """The pairs ``person_id`` belongs to, newest first."""
    query = (
        select(Pair)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee), joinedload(Pair.program))
        .where(or_(Pair.mentor_id == person_id, Pair.mentee_id == person_id))
        .order_by(Pair.start_date.desc(), Pair.id.desc())
    )
    if not include_ended:
        query = query.where(Pair.status != PairStatus.ENDED)
    return list(session.scalars(query).unique())


def describe_pair(pair: Pair, viewer_id: int | None = None) -> str:
    """ "Ada (mentor) & Ben (mentee)", or "with Ben (your mentee)" from a member's side."""
    if viewer_id is not None and viewer_id in (pair.mentor_id, pair.mentee_id):
        partner = pair.partner_of(viewer_id)
        role = "mentee" if partner.id == pair.mentee_id else "mentor"
        return f"with {partner.display_name} (your {role})"
    return f"{pair.mentor.display_name} (mentor) & {pair.mentee.display_name} (mentee)"


def resolve_pair(request: Request, text: str, usage: str) -> tuple[Pair, str]:
    """The pair a member's command is about, and the text with any partner mention removed.

    Inside a pair's conversation: that pair. Elsewhere: the caller's only pair, or the one with
    the partner they mention (``@name``); otherwise a sentence listing their pairs.
    """
    pairs = member_pairs(request.session, request.person.id)
    if request.conversation_id:
        for pair in pairs:
            if pair.conversation_id == request.conversation_id:
                return pair, text
    if not pairs:
        raise InputError(
            "You are not in an active mentoring pair; a coordinator matches mentors and mentees. "
            "If you think that is wrong, ask your program coordinator."
        )
    mentioned, rest = _take_partner_mention(pairs, request.person.id, text)
    if mentioned is not None:
        return mentioned, rest
    if len(pairs) == 1:
        return pairs[0], text
    names = ", ".join(f"@{p.partner_of(request.person.id).display_name}" for p in pairs)
    raise InputError(
        f"You are in {len(pairs)} pairs; say which by naming your partner, "
        f"e.g. `{usage} @{pairs[0].partner_of(request.person.id).display_name}` "
        f"(your partners: {names})."
    )


def _take_partner_mention(pairs: list[Pair], person_id: int, text: str) -> tuple[Pair | None, str]:
    for match in MENTION.finditer(text):
        wanted = match.group(1).casefold()
        for pair in pairs:
            partner = pair.partner_of(person_id)
            names = {partner.display_name.casefold(), (partner.platform_user_id or "").casefold()}
            if wanted in names:
                rest = (text[: match.start()] + text[match.end() :]).strip()
                return pair, re.sub(r"\s{2,}", " ", rest)
    return None, text


def pause_pair(pair: Pair, weeks: int, today: dt.date) -> dt.date:
    """Hold a pair's suggestions for ``weeks``; returns the day they resume."""
    if pair.status == PairStatus.ENDED:
        raise InputError("This pair has ended, so there is nothing to pause.")
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise InputError(
            f"A pause lasts 1 to {MAX_PAUSE_WEEKS} weeks, not {weeks}; "
            "type e.g. `/mentoring pause 4`."
        )
    pair.status = PairStatus.PAUSED
    pair.paused_until = today + dt.timedelta(weeks=weeks)
    return pair.paused_until


def resume_pair(pair: Pair) -> None:
    if pair.status == PairStatus.ENDED:
        raise InputError("This pair has ended; a coordinator can match you again.")
    if pair.status == PairStatus.ACTIVE:
        raise InputError("This pair is not paused; suggestions are already coming.")
    pair.status = PairStatus.ACTIVE
    pair.paused_until = None


def end_pair(pair: Pair, now: dt.datetime) -> None:
    if pair.status == PairStatus.ENDED:
        raise InputError(f"Pair {pair.id} has already ended.")
    pair.status = PairStatus.ENDED
    pair.ended_at = now
    pair.paused_until = None
