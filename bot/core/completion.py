"""What to offer while a member is still typing an argument: goal and meeting numbers, and the
activities a meeting can be logged against.

Completion answers each keystroke and must not change anything, so it reads in a session that
is never committed, finds the caller's pair with the core's own ``resolve_pair``, and offers
exactly what the command would accept. A caller the core cannot place (no pair, several pairs
and no partner named) gets no suggestions; the command itself then explains.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.grammar import Command
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
