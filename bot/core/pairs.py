"""Which pair a command is about, and the pair lifecycle (pause, resume, end)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.limits import MAX_PAUSE_WEEKS
from bot.core.replies import said
from prompts.messages import render
from storage.models import Pair, PairStatus, Person


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


def member_user_ids(session: Session, pair_ids: Iterable[int]) -> set[str]:
    """The platform user ids of these pairs' members."""
    ids = list(pair_ids)
    members = (
        select(Pair.mentor_id)
        .where(Pair.id.in_(ids))
        .union(select(Pair.mentee_id).where(Pair.id.in_(ids)))
    )
    query = select(Person.platform_user_id).where(
        Person.id.in_(members), Person.platform_user_id.is_not(None)
    )
    return {str(user_id) for user_id in session.scalars(query)}


def describe_pair(pair: Pair, viewer_id: int | None = None) -> str:
    """ "Ada (mentor) & Ben (mentee)", or "with Ben (your mentee)" from a member's side."""
    if viewer_id is not None and viewer_id in (pair.mentor_id, pair.mentee_id):
        partner = pair.partner_of(viewer_id)
        role = render("pairs.role_mentee" if partner.id == pair.mentee_id else "pairs.role_mentor")
        return render("pairs.with_partner", partner=said(partner.display_name), role=role)
    return render(
        "pairs.members",
        mentor=said(pair.mentor.display_name),
        mentee=said(pair.mentee.display_name),
    )


def resolve_pair(
    request: Request,
    partners: Sequence[str],
    example: str,
    mentions: Mapping[str, str] | None = None,
) -> Pair:
    """The pair a member's command is about.

    Inside a pair's conversation: that pair. Elsewhere: the pair with the partner they named,
    or their only pair. ``partners`` are the names given at the partner positions; each must
    be a partner of the caller (and the conversation's partner, inside one), matched by name
    or by the platform user id that ``mentions`` gives for it. ``example`` is the command as
    they would type it with a partner named, ``{name}`` standing for the name.
    """
    me = request.person.id
    pairs = member_pairs(request.session, me)
    if not pairs:
        raise InputError(render("pairs.no_pair"))
    named = {_partner_pair(pairs, me, name, example, mentions or {}) for name in partners}
    if len(named) > 1:
        raise InputError(render("pairs.two_partners", example=_example(example, pairs[0], me)))
    here = next(
        (
            p
            for p in pairs
            if request.conversation_id and p.conversation_id == request.conversation_id
        ),
        None,
    )
    if here is not None:
        if named and named != {here}:
            partner = here.partner_of(me).display_name
            raise InputError(render("pairs.not_here", partner=partner))
        return here
    if named:
        return named.pop()
    if len(pairs) == 1:
        return pairs[0]
    raise InputError(
        render(
            "pairs.which_pair",
            count=len(pairs),
            example=_example(example, pairs[0], me),
            partners=_partners(pairs, me),
        )
    )


def _partner_pair(
    pairs: Sequence[Pair], me: int, name: str, example: str, mentions: Mapping[str, str]
) -> Pair:
    wanted = mentions.get(name, name).casefold()
    for pair in pairs:
        partner = pair.partner_of(me)
        known = {
            partner.display_name.casefold(),
            partner.display_name.casefold().replace(" ", ""),
            (partner.platform_user_id or "").casefold(),
        }
        if wanted in known:
            return pair
    raise InputError(
        render(
            "pairs.not_partner",
            name=said("@" + name),
            partners=_partners(pairs, me),
            example=_example(example, pairs[0], me),
        )
    )


def _partners(pairs: Sequence[Pair], me: int) -> str:
    return ", ".join(said(f"@{p.partner_of(me).display_name}") for p in pairs)


def _example(example: str, pair: Pair, me: int) -> str:
    return example.format(name=pair.partner_of(me).display_name.replace(" ", ""))


def pause_pair(pair: Pair, weeks: int, today: dt.date) -> dt.date:
    """Hold a pair's suggestions for ``weeks``; returns the day they resume."""
    if pair.status == PairStatus.ENDED:
        raise InputError(render("pairs.pause_ended"))
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise InputError(render("pairs.pause_length", most=MAX_PAUSE_WEEKS, weeks=weeks))
    pair.status = PairStatus.PAUSED
    pair.paused_until = today + dt.timedelta(weeks=weeks)
    return pair.paused_until


def resume_pair(pair: Pair) -> None:
    if pair.status == PairStatus.ENDED:
        raise InputError(render("pairs.resume_ended"))
    if pair.status == PairStatus.ACTIVE:
        raise InputError(render("pairs.not_paused"))
    pair.status = PairStatus.ACTIVE
    pair.paused_until = None


def end_pair(pair: Pair, now: dt.datetime) -> None:
    if pair.status == PairStatus.ENDED:
        raise InputError(render("pairs.already_ended", pair=pair.id))
    pair.status = PairStatus.ENDED
    pair.ended_at = now
    pair.paused_until = None
