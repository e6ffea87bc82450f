"""What to offer while a member is still typing an argument: goal and meeting numbers, the
activities a meeting can be logged against, and time zone names.

Completion answers each keystroke and must not change anything, so it reads in a session that
is never committed, finds the caller's pair with the core's own ``resolve_pair``, and offers
exactly what the command would accept. A caller the core cannot place (no pair, several pairs
and no partner named) gets no suggestions; the command itself then explains. A time zone needs
no pair: any argument declared as a ``Zone`` offers the IANA names that match what is typed.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from functools import cache

from sqlalchemy import select

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.grammar import Command, Zone
from bot.core.meetings import ACTIVITY, meeting_form
from bot.core.pairs import resolve_pair
from bot.core.replies import Option
from storage.models import Goal, GoalStatus, Meeting, Pair

MAX_CHOICES = 25  # Discord shows at most 25
# Which goals each /goal verb can act on; the core refuses the others with a sentence.
GOALS_FOR = {
    "done": (GoalStatus.OPEN,),
    "drop": (GoalStatus.OPEN,),
    "reopen": (GoalStatus.DONE, GoalStatus.DROPPED),
}


def choices(
    request: Request,
    command: Command,
    verb: str,
    argument: str,
    typed: str,
    partners: Sequence[str],
) -> list[Option]:
    """What fits ``argument`` of ``/command verb`` and matches what is typed so far."""
    declared = next((v for v in command.verbs if v.name == verb), None)
    if declared is not None and any(
        a.name == argument and isinstance(a, Zone) for a in declared.args
    ):
        return zones(typed, request.person.timezone)
    try:
        pair = resolve_pair(request, partners, "")
    except InputError:
        return []
    if command.name == "goal" and argument == "number":
        found = _goals(request, pair, verb)
    elif command.name == "log-meeting" and argument == "number":
        found = _own_meetings(request, pair)
    elif command.name == "log-meeting" and argument == ACTIVITY.name:
        form = meeting_form(request, pair)
        found = next((f.options for f in form.fields if f.name == ACTIVITY.name), ())
    else:
        return []
    wanted = typed.strip().casefold()
    matching = [o for o in found if o.value.startswith(wanted) or wanted in o.label.casefold()]
    return matching[:MAX_CHOICES]


def _goals(request: Request, pair: Pair, verb: str) -> list[Option]:
    query = select(Goal.number, Goal.text).where(Goal.pair_id == pair.id)
    if verb in GOALS_FOR:
        query = query.where(Goal.status.in_(GOALS_FOR[verb]))
    rows = request.session.execute(query.order_by(Goal.number))
    return [Option(str(number), f"{number}. {text}"[:100]) for number, text in rows]


def _own_meetings(request: Request, pair: Pair) -> list[Option]:
    rows = request.session.execute(
        select(Meeting.number, Meeting.met_on, Meeting.activity_title)
        .where(Meeting.pair_id == pair.id, Meeting.logged_by_id == request.person.id)
        .order_by(Meeting.number.desc())
    )
    return [
        Option(str(number), f"{number}. {met_on:%-d %b %Y}, {title or 'own activity'}"[:100])
        for number, met_on, title in rows
    ]


def zones(typed: str, own: str | None = None) -> list[Option]:
    """IANA zone names matching ``typed`` in any letter case (a space counts as ``_``): those
    that start with it, then those with a part that starts with it (``chicago``), then those
    that contain it; with nothing typed, the caller's own zone first."""
    wanted = typed.strip().casefold().replace(" ", "_")
    names = _zone_names()
    if not wanted:
        found = [own] if own in names else []
        found += names
    else:
        folded = [(name, name.casefold()) for name in names]
        found = [n for n, f in folded if f.startswith(wanted)]
        found += [n for n, f in folded if any(p.startswith(wanted) for p in f.split("/"))]
        found += [n for n, f in folded if wanted in f]
    found = list(dict.fromkeys(found))
    return [Option(name, name) for name in found[:MAX_CHOICES]]


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))
