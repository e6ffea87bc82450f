"""What autocomplete offers: the pair's goal numbers and the activities for a meeting.

Autocomplete answers each keystroke and must not change anything, so these read in a session
that is never committed, find the caller's pair with the core's own ``resolve_pair`` and build the
meeting form with the core's own ``meeting_form``; nothing here decides a rule. They are blocking
and run in a worker thread. A caller the core cannot place (no pair yet, several pairs and no
partner named) simply gets no suggestions; the command itself then explains.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.meetings import meeting_form
from bot.core.pairs import resolve_pair
from bot.core.replies import Actor
from bot.core.service import Core
from storage.models import Goal, GoalStatus, Pair, Person

MAX_CHOICES = 25  # Discord shows at most 25
# Which goals each /goal verb can act on; the core refuses the others with a sentence.
GOALS_FOR = {
    "done": (GoalStatus.OPEN,),
    "drop": (GoalStatus.OPEN,),
    "reopen": (GoalStatus.DONE, GoalStatus.DROPPED),
}


def goal_choices(
    core: Core, actor: Actor, where: str | None, pair_text: str, verb: str, typed: str
) -> list[tuple[int, str]]:
    """(number, "3. Run 5k") for the pair's goals that ``verb`` applies to, matching ``typed``."""
    with core.sessions() as session:
        placed = _place(core, session, actor, where, pair_text)
        if placed is None:
            return []
        _, pair = placed
        query = select(Goal.number, Goal.text).where(Goal.pair_id == pair.id)
        if verb in GOALS_FOR:
            query = query.where(Goal.status.in_(GOALS_FOR[verb]))
        rows = session.execute(query.order_by(Goal.number)).all()
    typed = typed.strip().casefold()
    found = [
        (number, f"{number}. {text}"[:100])
        for number, text in rows
        if str(number).startswith(typed) or typed in text.casefold()
    ]
    return found[:MAX_CHOICES]


def activity_choices(
    core: Core, actor: Actor, where: str | None, pair_text: str, typed: str
) -> list[tuple[str, str]]:
    """(activity id, title) as the meeting form offers them: recent suggestions, then other."""
    with core.sessions() as session:
        placed = _place(core, session, actor, where, pair_text)
        if placed is None:
            return []
        form = meeting_form(*placed)
    options = next((f.options for f in form.fields if f.name == "activity"), ())
    typed = typed.strip().casefold()
    found = [(o.value, o.label[:100]) for o in options if typed in o.label.casefold()]
    return found[:MAX_CHOICES]


def _place(
    core: Core, session: Session, actor: Actor, where: str | None, pair_text: str
) -> tuple[Request, Pair] | None:
    """The caller's request and pair, as the core would resolve them; None if it could not."""
    person = session.scalar(
        select(Person).where(
            Person.platform == actor.platform, Person.platform_user_id == actor.user_id
        )
    )
    if person is None:
        return None
    request = Request(core, session, actor, person, where, core.clock())
    try:
        pair, _ = resolve_pair(request, pair_text, "")
    except InputError:
        return None
    return request, pair
