"""``/goal``: the goals a pair sets and moves."""

from __future__ import annotations

from sqlalchemy import case, func, select

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.pairs import resolve_pair
from bot.core.replies import Message, PairPost, Reply
from prompts.messages import render
from storage.models import Goal, GoalStatus, Pair

MAX_GOAL_LENGTH = 500
USAGE = "/goal"
STATUS_MARK = {GoalStatus.OPEN: "☐", GoalStatus.DONE: "☑", GoalStatus.DROPPED: "✗"}


def handle_goal(request: Request, text: str) -> Reply:
    """Dispatch ``/goal [list|add|done|reopen|drop|edit|ideas|help] …``."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.casefold()
    rest = rest.strip()
    if verb in ("help", "-h", "--help", "?"):
        return Reply.text(render("goal_help"))
    if verb == "ideas":
        return _ideas(request)
    if verb.startswith("@"):
        verb, rest = "list", text.strip()
    if verb not in ("", "list", "add", "done", "reopen", "drop", "edit"):
        raise InputError(
            f"“{verb}” is not a /goal command. To add a goal type `/goal add {text.strip()}`; "
            "`/goal help` lists the rest."
        )
    pair, rest = resolve_pair(request, rest, f"{USAGE} {verb or 'list'}")
    if verb in ("", "list"):
        return Reply(message=goal_list(request, pair))
    if verb == "add":
        return _add(request, pair, rest)
    number, _, tail = rest.partition(" ")
    goal = _goal_by_number(request, pair, number, verb)
    if verb == "edit":
        return _edit(request, pair, goal, tail.strip())
    return _set_status(request, pair, goal, verb)


def goal_list(request: Request, pair: Pair) -> Message:
    goals = list(
        request.session.scalars(
            select(Goal)
            .where(Goal.pair_id == pair.id)
            .order_by(case((Goal.status == GoalStatus.OPEN, 0), else_=1), Goal.number)
        )
    )
    if not goals:
        return Message("No goals yet. Add one with `/goal add TEXT`, or see `/goal ideas`.")
    zone = request.zone(pair.program.timezone)
    lines = ["**Your goals**"]
    for goal in goals:
        who = goal.created_by.display_name if goal.created_by else "someone"
        when = goal.created_at.astimezone(zone).strftime("%-d %b %Y")
        mark = STATUS_MARK[GoalStatus(goal.status)]
        lines.append(f"{mark} **{goal.number}.** {goal.text}  _({who}, {when})_")
    return Message("\n".join(lines))


def _ideas(request: Request) -> Reply:
    examples = request.core.catalog.goal_examples
    lines = ["**Goal ideas from the program** (copy one with `/goal add …`)"]
    lines += [f"• {example.text}" for example in examples]
    return Reply.text("\n".join(lines))


def _checked_text(text: str, usage: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise InputError(f"The goal is empty; type `{usage}`.", field="text")
    if len(text) > MAX_GOAL_LENGTH:
        raise InputError(
            f"That goal is {len(text)} characters; a goal can be at most {MAX_GOAL_LENGTH}. "
            "Shorten it and try again.",
            field="text",
        )
    return text


def _add(request: Request, pair: Pair, text: str) -> Reply:
    text = _checked_text(text, "/goal add TEXT, e.g. /goal add Practise a mock interview")
    number = (
        request.session.scalar(select(func.max(Goal.number)).where(Goal.pair_id == pair.id)) or 0
    ) + 1
    goal = Goal(
        pair_id=pair.id,
        number=number,
        text=text,
        created_by_id=request.person.id,
        created_at=request.now,
    )
    request.session.add(goal)
    request.session.flush()
    request.audit("goal.add", "goal", goal.id, number=number)
    return Reply(
        message=Message(f"Added goal **{number}**: {text}"),
        posts=(
            PairPost(
                pair.id, Message(f"🎯 {request.person.display_name} set goal **{number}**: {text}")
            ),
        ),
    )


def _goal_by_number(request: Request, pair: Pair, number: str, verb: str) -> Goal:
    example = f"/goal {verb} 2" + (" NEW TEXT" if verb == "edit" else "")
    if not number.isdigit():
        shown = f"“{number}”" if number else "nothing"
        raise InputError(
            f"`/goal {verb}` needs a goal number, not {shown}; type e.g. `{example}` "
            "(see the numbers with `/goal list`)."
        )
    goal = request.session.scalar(
        select(Goal).where(Goal.pair_id == pair.id, Goal.number == int(number))
    )
    if goal is None:
        raise InputError(f"Your pair has no goal {number}; `/goal list` shows the numbers.")
    return goal


def _edit(request: Request, pair: Pair, goal: Goal, text: str) -> Reply:
    text = _checked_text(text, f"/goal edit {goal.number} NEW TEXT")
    old = goal.text
    goal.text = text
    request.audit("goal.edit", "goal", goal.id, number=goal.number)
    return Reply.text(f"Goal **{goal.number}** now reads: {text}\n_(was: {old})_")


TRANSITIONS = {
    "done": (GoalStatus.DONE, "marked done 🎉", "is already done"),
    "reopen": (GoalStatus.OPEN, "reopened", "is already open"),
    "drop": (GoalStatus.DROPPED, "dropped", "is already dropped"),
}


def _set_status(request: Request, pair: Pair, goal: Goal, verb: str) -> Reply:
    status, done_words, already = TRANSITIONS[verb]
    if goal.status == status:
        raise InputError(f"Goal {goal.number} {already}; `/goal list` shows where each stands.")
    goal.status = status
    goal.closed_at = None if status == GoalStatus.OPEN else request.now
    request.audit(f"goal.{verb}", "goal", goal.id, number=goal.number)
    posts = ()
    if status == GoalStatus.DONE:
        posts = (
            PairPost(
                pair.id,
                Message(
                    f"🎉 {request.person.display_name} marked goal **{goal.number}** done: "
                    f"{goal.text}"
                ),
            ),
        )
    return Reply(message=Message(f"Goal **{goal.number}** {done_words}: {goal.text}"), posts=posts)
