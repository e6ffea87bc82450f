"""``/goal``: the goals a pair sets and moves, and the goal form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import case, func, select

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.forms import OUT_OF_DATE, FormKind, context_pair
from bot.core.grammar import DIGITS, Command, Number, Text, Verb, help_verb
from bot.core.limits import GOAL_TEXT, MAX_NUMBER, MAX_OPEN_GOALS
from bot.core.paging import PageAction, paged
from bot.core.replies import FieldKind, Form, FormField, Message, PairPost, Reply, said
from prompts.messages import render
from storage.models import Goal, GoalStatus, Pair
from storage.numbers import next_number

GOAL_FORM = "goal"
STATUS_MARK = {GoalStatus.OPEN: "☐", GoalStatus.DONE: "☑", GoalStatus.DROPPED: "✗"}
TRANSITIONS = {
    "done": (GoalStatus.DONE, "goals.marked_done", "goals.already_done"),
    "reopen": (GoalStatus.OPEN, "goals.reopened", "goals.already_open"),
    "drop": (GoalStatus.DROPPED, "goals.dropped", "goals.already_dropped"),
}

NUMBER = Number(
    "number",
    "N",
    "a goal number",
    example="2",
    required=True,
    maximum=MAX_NUMBER,
    hint="`/goal list` shows the numbers",
)
TEXT = Text("text", "TEXT", "the goal", required=True, maximum=GOAL_TEXT, squeeze=True)
NEW_TEXT = Text(
    "text", "NEW TEXT", "the new wording", required=True, maximum=GOAL_TEXT, squeeze=True
)


GOALS_LISTING = "g"


def goal_list(request: Request, pair: Pair, start: int = 0) -> Message:
    """The pair's goals, open first, a page at a time."""
    goals = list(
        request.session.scalars(
            select(Goal)
            .where(Goal.pair_id == pair.id)
            .order_by(case((Goal.status == GoalStatus.OPEN, 0), else_=1), Goal.number)
        )
    )
    if not goals:
        return Message(render("goals.none"))
    zone = request.zone(pair.program.timezone)
    entries = []
    for goal in goals:
        who = goal.created_by.display_name if goal.created_by else render("goals.someone")
        when = goal.created_at.astimezone(zone).strftime("%-d %b %Y")
        mark = STATUS_MARK[GoalStatus(goal.status)]
        entries.append(f"{mark} **{goal.number}.** {said(goal.text)}  _({said(who)}, {when})_")
    return paged(
        render("goals.heading"),
        entries,
        start,
        lambda at: str(PageAction(GOALS_LISTING, pair.id, at)),
        labels=(render("goals.previous"), render("goals.next")),
    )


def _list(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    return Reply(message=goal_list(request, pair))


def _ideas(request: Request, values: Mapping[str, Any]) -> Reply:
    examples = request.core.catalog.goal_examples
    lines = [render("goals.ideas_heading")]
    lines += [f"• {example.text}" for example in examples]
    return Reply.text("\n".join(lines))


def _room_for_another(request: Request, pair: Pair) -> None:
    """A pair holds at most ``MAX_OPEN_GOALS`` open goals: past that a list stops being a plan.
    The pair's row is locked first, so two adds at the same instant cannot both take the last
    place (SQLite's transactions are serial already)."""
    request.session.execute(select(Pair.id).where(Pair.id == pair.id).with_for_update())
    open_goals = request.session.scalar(
        select(func.count())
        .select_from(Goal)
        .where(Goal.pair_id == pair.id, Goal.status == GoalStatus.OPEN)
    )
    if (open_goals or 0) >= MAX_OPEN_GOALS:
        raise InputError(render("goals.full", most=MAX_OPEN_GOALS))


def add_goal(request: Request, pair: Pair, text: str) -> Reply:
    _room_for_another(request, pair)
    number = next_number(request.session, pair.id, "goals_numbered")
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
    who = said(request.person.display_name)
    notice = Message(render("goals.set_notice", who=who, number=number, text=said(text)))
    return Reply(
        message=Message(render("goals.added", number=number, text=said(text))),
        posts=(PairPost(pair.id, notice, by=request.person.id),),
    )


def _add(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    return add_goal(request, pair, values["text"])


def _goal(request: Request, pair: Pair, number: int) -> Goal:
    goal = request.session.scalar(
        select(Goal).where(Goal.pair_id == pair.id, Goal.number == number)
    )
    if goal is None:
        raise InputError(render("goals.no_such", number=number), field="number")
    return goal


def edit_goal(request: Request, pair: Pair, number: int, text: str) -> Reply:
    goal = _goal(request, pair, number)
    old = goal.text
    if text == old:
        raise InputError(render("goals.already_reads", number=number, text=said(old)), field="text")
    goal.text = text
    request.audit("goal.edit", "goal", goal.id, number=goal.number)
    return Reply.text(render("goals.now_reads", number=goal.number, text=said(text), old=said(old)))


def _edit(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    return edit_goal(request, pair, values["number"], values["text"])


def _set_status(verb: str) -> Any:
    status, moved, already = TRANSITIONS[verb]

    def run(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
        goal = _goal(request, pair, values["number"])
        if goal.status == status:
            raise InputError(render(already, number=goal.number))
        if status == GoalStatus.OPEN:
            _room_for_another(request, pair)
        goal.status = status
        goal.closed_at = None if status == GoalStatus.OPEN else request.now
        request.audit(f"goal.{verb}", "goal", goal.id, number=goal.number)
        posts: tuple[PairPost, ...] = ()
        if status == GoalStatus.DONE:
            who = said(request.person.display_name)
            notice = render("goals.done_notice", who=who, number=goal.number, text=said(goal.text))
            posts = (PairPost(pair.id, Message(notice), request.person.id, goal.created_by_id),)
        return Reply(
            message=Message(render(moved, number=goal.number, text=said(goal.text))),
            posts=posts,
        )

    return run


# -- the goal form -------------------------------------------------------------------------


def _form_context(request: Request, pair: Pair, values: Mapping[str, Any]) -> str | None:
    """``pair:12`` to add a goal, ``pair:12:goal:3`` to reword goal 3 (when it exists)."""
    number = values.get("number")
    if "number" not in values:
        return f"pair:{pair.id}"
    if not isinstance(number, int):
        return None
    found = request.session.scalar(
        select(Goal.id).where(Goal.pair_id == pair.id, Goal.number == number)
    )
    return f"pair:{pair.id}:goal:{number}" if found else None


def _edited_number(rest: list[str]) -> int | None:
    """The goal a form rewords (``…:goal:3``), or None for a form that adds one."""
    if not rest:
        return None
    if rest[0] != "goal" or len(rest) != 2 or not DIGITS.fullmatch(rest[1]):
        raise InputError(OUT_OF_DATE)
    return int(rest[1])


def _build_form(request: Request, context: str) -> Form:
    pair, rest = context_pair(request, context)
    number = _edited_number(rest)
    current = _goal(request, pair, number).text if number is not None else None
    field = FormField(
        "text",
        render("goals.form_goal") if number is None else render("goals.form_new_wording"),
        FieldKind.LONG_TEXT,
        required=True,
        initial=current,
        max_length=GOAL_TEXT,
        hint=render("goals.form_hint", most=GOAL_TEXT),
    )
    title = (
        render("goals.form_add_title")
        if number is None
        else render("goals.form_reword_title", number=number)
    )
    return Form(GOAL_FORM, title, (field,), submit_label=render("goals.form_save"), context=context)


def _submit_form(request: Request, context: str, values: Mapping[str, object]) -> Reply:
    pair, rest = context_pair(request, context)
    number = _edited_number(rest)
    try:
        if number is None:
            return add_goal(
                request, pair, TEXT.convert(values.get("text") or "", request.today(), "")
            )
        text = NEW_TEXT.convert(values.get("text") or "", request.today(), "")
        return edit_goal(request, pair, number, text)
    except InputError as error:
        return Reply(field_errors={"text": error.message})


FORM = FormKind(GOAL_FORM, _form_context, _build_form, _submit_form)

GOAL = Command(
    "goal",
    "the goals you and your partner are working on.",
    verbs=(
        Verb("list", "your goals, numbered, open ones first", _list, example="/goal list"),
        Verb(
            "add",
            f"add a goal (up to {GOAL_TEXT} characters); on its own, a form opens",
            _add,
            (TEXT,),
            example="/goal add Practise a mock interview",
            form=GOAL_FORM,
        ),
        Verb("done", "mark goal N done", _set_status("done"), (NUMBER,), example="/goal done 2"),
        Verb(
            "reopen",
            "open goal N again",
            _set_status("reopen"),
            (NUMBER,),
            example="/goal reopen 2",
        ),
        Verb(
            "drop",
            "drop goal N (it stays in the list)",
            _set_status("drop"),
            (NUMBER,),
            example="/goal drop 2",
        ),
        Verb(
            "edit",
            "reword goal N; without new text, a form opens with its wording",
            _edit,
            (NUMBER, NEW_TEXT),
            example="/goal edit 2 Read five award winners",
            form=GOAL_FORM,
        ),
        Verb(
            "ideas",
            "example goals from the program, to copy",
            _ideas,
            example="/goal ideas",
            needs_pair=False,
        ),
        help_verb("/goal"),
    ),
    default="list",
    unknown_hint="To add a goal, type `/goal add {text}`.",
)
