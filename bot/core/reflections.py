"""Reflections and competency self-assessments: the forms that collect what a year changed.

The midpoint and closing messages carry a button that opens the reflection form for whoever
presses it; the welcome and the closing carry one that opens the competency self-assessment.
Each member answers for themselves (answering again replaces what they answered), and the
answers go to the coordinators, as each form says; the free text reaches a funder report only
when its writer says it may. A week after a reflection, a pair in which a member has not
answered gets one reminder (``owed_reminders``), through the same exactly-once deliveries.

The buttons open a form and change nothing, so they carry what the form needs (``o:reflect:42``,
``o:assess:12:closing:0``) and are checked against the member pressing them, wherever pressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session, aliased, object_session

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.forms import OUT_OF_DATE, FormKind, context_pair
from bot.core.grammar import DIGITS, Command, Number, Numbers, Pick, Text, Verb, bind
from bot.core.limits import RATING_SCALE, REFLECTION_TEXT
from bot.core.replies import (
    Button,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    Message,
    Option,
    PairPost,
    Reply,
    said,
)
from prompts.competencies import RATINGS, CompetencyList
from prompts.messages import render
from storage.models import (
    CompetencyRating,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Goal,
    GoalStatus,
    Pair,
    PairStatus,
    Reflection,
)

OUTCOMES_PREFIX = "o:"
REFLECT, ASSESS = "reflect", "assess"
REFLECTION_FORM = "reflection"
COMPETENCY_FORM = "competencies"
REFLECTED = (DeliveryKind.MIDPOINT, DeliveryKind.CLOSING)
KICKOFF, CLOSING = "kickoff", "closing"
ASSESSED_AT = {DeliveryKind.WELCOME: KICKOFF, DeliveryKind.CLOSING: CLOSING}
REMINDER_AFTER = dt.timedelta(days=7)
DISCORD_PAGE = 5  # a Discord modal holds five inputs: longer lists go a page at a time
YES, NO = "yes", "no"

SCORE = Number(
    "score",
    "N",
    "how the mentoring is going",
    example="4",
    in_text=False,  # not required by the grammar, so `/mentoring reflect` alone opens the form
    minimum=RATING_SCALE[0],
    maximum=RATING_SCALE[1],
)
WORKED = Text("worked", "TEXT", "what has worked", maximum=REFLECTION_TEXT, in_text=False)
CHANGE = Text("change", "TEXT", "what you would change", maximum=REFLECTION_TEXT, in_text=False)
REACHED = Numbers("reached", "GOALS", "the goals you reached", example="1 3", in_text=False)
SHARE = Pick("share", "YES/NO", "whether the report may quote your answers", in_text=False)


def reflection_button(delivery_id: int) -> Button:
    return Button(
        render("reflections.reflect_button"),
        f"{OUTCOMES_PREFIX}{REFLECT}:{delivery_id}",
        ButtonStyle.PRIMARY,
    )


def assessment_button(pair_id: int, phase: str, page: int = 0) -> Button:
    label = "reflections.assess_button" if page == 0 else "reflections.assess_more_button"
    return Button(render(label), f"{OUTCOMES_PREFIX}{ASSESS}:{pair_id}:{phase}:{page}")


def outcome_buttons(delivery: Delivery) -> tuple[Button, ...]:
    """The buttons a welcome, reflection or reminder carries besides its activity's."""
    buttons = []
    if delivery.kind in REFLECTED:
        buttons.append(reflection_button(delivery.id))
    if delivery.kind == DeliveryKind.REMINDER and delivery.reminds_id is not None:
        buttons.append(reflection_button(delivery.reminds_id))
    if delivery.kind in ASSESSED_AT:
        buttons.append(assessment_button(delivery.pair_id, ASSESSED_AT[delivery.kind]))
    return tuple(buttons)


def press_outcome(request: Request, action: str) -> Reply:
    """Open the reflection or self-assessment a button names, for the member pressing it."""
    verb, _, rest = action.removeprefix(OUTCOMES_PREFIX).partition(":")
    if verb == REFLECT and DIGITS.fullmatch(rest):
        delivery = request.session.get(Delivery, int(rest))
        if delivery is None or delivery.kind not in REFLECTED:
            raise InputError(OUT_OF_DATE)
        context = f"pair:{delivery.pair_id}:{REFLECT}:{delivery.id}"
        return Reply(form=_build_reflection(request, context))
    if verb == ASSESS:
        return Reply(form=_build_assessment(request, f"pair:{rest}"))
    raise InputError(OUT_OF_DATE)


# -- the reflection ---------------------------------------------------------------------------


def _reflected(request: Request, context: str) -> tuple[Pair, Delivery]:
    """The pair (the caller's) and the reflection a form's context names."""
    pair, rest = context_pair(request, context)
    if len(rest) != 2 or rest[0] != REFLECT or not DIGITS.fullmatch(rest[1]):
        raise InputError(OUT_OF_DATE)
    delivery = request.session.get(Delivery, int(rest[1]))
    if delivery is None or delivery.pair_id != pair.id or delivery.kind not in REFLECTED:
        raise InputError(OUT_OF_DATE)
    return pair, delivery


def latest_reflection(session: Session, pair: Pair) -> Delivery | None:
    """The pair's most recent midpoint or closing reflection that reached it."""
    return session.scalar(
        select(Delivery)
        .where(
            Delivery.pair_id == pair.id,
            Delivery.kind.in_(REFLECTED),
            Delivery.status == DeliveryStatus.SENT,
        )
        .order_by(Delivery.due_at.desc())
        .limit(1)
    )


def _build_reflection(request: Request, context: str) -> Form:
    pair, delivery = _reflected(request, context)
    closing = delivery.kind == DeliveryKind.CLOSING
    fields = [
        FormField(
            SCORE.name,
            render("reflections.form_score"),
            FieldKind.SELECT,
            required=True,
            options=tuple(
                Option(str(n), render(f"reflections.score_{n}"))
                for n in range(RATING_SCALE[0], RATING_SCALE[1] + 1)
            ),
        ),
        FormField(
            WORKED.name,
            render("reflections.form_worked"),
            FieldKind.LONG_TEXT,
            max_length=WORKED.maximum,
        ),
        FormField(
            CHANGE.name,
            render("reflections.form_change"),
            FieldKind.LONG_TEXT,
            max_length=CHANGE.maximum,
        ),
    ]
    goals = _goals(request.session, pair) if closing else []
    if goals:
        fields.append(
            FormField(
                REACHED.name,
                render("reflections.form_reached"),
                FieldKind.MULTI_SELECT,
                options=tuple(Option(str(g.number), f"{g.number}. {g.text}"[:75]) for g in goals),
            )
        )
    fields.append(
        FormField(
            SHARE.name,
            render("reflections.form_share"),
            FieldKind.SELECT,
            required=True,
            initial=NO,
            options=(
                Option(NO, render("reflections.share_no")),
                Option(YES, render("reflections.share_yes")),
            ),
        )
    )
    phase = render(f"reflections.phase_{delivery.kind}")
    form = Form(
        REFLECTION_FORM,
        render("reflections.form_title", phase=phase),
        tuple(fields),
        submit_label=render("reflections.form_submit"),
        context=context,
        intro=render("reflections.form_intro"),
        topic=render("reflections.form_topic"),
    )
    earlier = _answer_of(request, delivery)
    if earlier is None:
        return form
    return form.filled(
        {
            SCORE.name: str(earlier.score),
            WORKED.name: earlier.worked,
            CHANGE.name: earlier.change,
            REACHED.name: [str(n) for n in earlier.goals_reached],
            SHARE.name: YES if earlier.shared else NO,
        }
    )


def _goals(session: Session, pair: Pair) -> list[Goal]:
    """The goals a member can say were reached: open ones and those already done."""
    return list(
        session.scalars(
            select(Goal)
            .where(Goal.pair_id == pair.id, Goal.status != GoalStatus.DROPPED)
            .order_by(Goal.number)
        )
    )


def _answer_of(request: Request, delivery: Delivery) -> Reflection | None:
    return request.session.scalar(
        select(Reflection).where(
            Reflection.delivery_id == delivery.id, Reflection.person_id == request.person.id
        )
    )


def _submit_reflection(request: Request, context: str, values: Mapping[str, object]) -> Reply:
    """Check each answer as the verb's arguments are checked; each wrong one beside its field."""
    pair, delivery = _reflected(request, context)
    checked, errors = bind(MENTORING_OUTCOMES, REFLECT_VERB, values, request.today())
    errors = {**_problems(request.session, pair, checked), **errors}
    if errors:
        return Reply(field_errors=errors)
    return _record_reflection(request, pair, delivery, checked)


def _problems(session: Session, pair: Pair, values: Mapping[str, Any]) -> dict[str, str]:
    """What the grammar cannot check in a reflection's answers, whichever way they came: the
    score is needed, ``share`` is yes or no, and the goals reached are the pair's."""
    problems = {}
    if (values.get(SHARE.name) or NO) not in (YES, NO):
        problems[SHARE.name] = render("reflections.share_wrong")
    if values.get(SCORE.name) is None:
        problems[SCORE.name] = render("reflections.score_missing")
    known = {g.number for g in _goals(session, pair)}
    unknown = sorted(set(values.get(REACHED.name) or ()) - known)
    if unknown:
        problems[REACHED.name] = render(
            "reflections.no_such_goals", numbers=", ".join(map(str, unknown))
        )
    return problems


def _record_reflection(
    request: Request, pair: Pair, delivery: Delivery, values: Mapping[str, Any]
) -> Reply:
    closing = delivery.kind == DeliveryKind.CLOSING
    reached = sorted(set(values.get(REACHED.name) or ())) if closing else []
    answer = _answer_of(request, delivery)
    again = answer is not None
    if answer is None:
        answer = Reflection(delivery_id=delivery.id, pair_id=pair.id, person_id=request.person.id)
        request.session.add(answer)
    answer.phase = delivery.kind
    answer.score = values[SCORE.name]
    answer.worked = values[WORKED.name]
    answer.change = values[CHANGE.name]
    answer.goals_reached = reached
    answer.shared = values.get(SHARE.name) == YES
    answer.created_at = request.now
    done = _mark_reached(request, pair, reached)
    request.session.flush()
    who = said(request.person.display_name)
    posts = tuple(
        PairPost(
            pair.id,
            Message(render("goals.done_notice", who=who, number=g.number, text=said(g.text))),
            request.person.id,
            g.created_by_id,
        )
        for g in done
    )
    request.audit("reflection.answer", "delivery", delivery.id, score=answer.score)
    lines = [render("reflections.thanks_again" if again else "reflections.thanks")]
    if done:
        numbers = ", ".join(str(g.number) for g in done)
        lines.append(render("reflections.goals_done", numbers=numbers))
    buttons: tuple[Button, ...] = ()
    if closing:
        lines.append(render("reflections.assess_next"))
        buttons = (assessment_button(pair.id, CLOSING),)
    return Reply(message=Message("\n".join(lines), buttons=buttons), posts=posts)


def _mark_reached(request: Request, pair: Pair, numbers: Sequence[int]) -> list[Goal]:
    """Open goals a member says were reached are marked done, as `/goal done` would."""
    if not numbers:
        return []
    goals = request.session.scalars(
        select(Goal).where(
            Goal.pair_id == pair.id, Goal.number.in_(numbers), Goal.status == GoalStatus.OPEN
        )
    ).all()
    for goal in goals:
        goal.status = GoalStatus.DONE
        goal.closed_at = request.now
        request.audit("goal.done", "goal", goal.id, number=goal.number)
    return sorted(goals, key=lambda goal: goal.number)


# -- the competency self-assessment --------------------------------------------------------------


def _assessed(request: Request, context: str) -> tuple[Pair, str, int]:
    """The pair (the caller's), the phase and the page a self-assessment's context names."""
    pair, rest = context_pair(request, context)
    if len(rest) != 2 or rest[0] not in (KICKOFF, CLOSING) or not DIGITS.fullmatch(rest[1]):
        raise InputError(OUT_OF_DATE)
    return pair, rest[0], int(rest[1])


def _page_size(request: Request, areas: int) -> int:
    return DISCORD_PAGE if request.actor.platform == "discord" else areas


def _build_assessment(request: Request, context: str) -> Form:
    pair, phase, page = _assessed(request, context)
    competencies: CompetencyList = request.core.competencies
    size = _page_size(request, len(competencies.areas))
    shown = competencies.areas[page * size : (page + 1) * size]
    if not shown:
        raise InputError(OUT_OF_DATE)
    earlier = dict(
        request.session.execute(
            select(CompetencyRating.area, CompetencyRating.level).where(
                CompetencyRating.pair_id == pair.id,
                CompetencyRating.person_id == request.person.id,
                CompetencyRating.phase == phase,
            )
        ).all()
    )
    scale = tuple(Option(str(r), f"{r} – {competencies.label(r)}") for r in RATINGS)
    fields = tuple(
        FormField(
            area.id,
            area.title,
            FieldKind.SELECT,
            required=True,
            initial=str(earlier[area.id]) if area.id in earlier else None,
            options=scale,
            hint=area.description[:150],
        )
        for area in shown
    )
    pages = -(-len(competencies.areas) // size)
    title = render(f"reflections.assess_title_{phase}")
    if pages > 1:
        title = render("reflections.assess_title_page", title=title, page=page + 1, pages=pages)
    return Form(
        COMPETENCY_FORM,
        title,
        fields,
        submit_label=render("reflections.form_submit"),
        context=f"pair:{pair.id}:{phase}:{page}",
        intro=render("reflections.assess_intro", list=said(competencies.name)),
    )


def _submit_assessment(request: Request, context: str, values: Mapping[str, object]) -> Reply:
    """Each area's rating checked as a number 1–4; the page's ratings stored together."""
    pair, phase, page = _assessed(request, context)
    form = _build_assessment(request, context)
    ratings = tuple(
        Number(
            f.name,
            "N",
            f.label,
            example="3",
            required=True,
            in_text=False,
            minimum=RATINGS[0],
            maximum=RATINGS[-1],
        )
        for f in form.fields
    )
    page_verb = Verb(ASSESS_VERB.name, ASSESS_VERB.help, None, ratings)
    levels, errors = bind(MENTORING_OUTCOMES, page_verb, values, request.today())
    if errors:
        return Reply(field_errors=errors)
    request.session.execute(
        delete(CompetencyRating).where(
            CompetencyRating.pair_id == pair.id,
            CompetencyRating.person_id == request.person.id,
            CompetencyRating.phase == phase,
            CompetencyRating.area.in_(levels),
        )
    )
    request.session.add_all(
        CompetencyRating(
            pair_id=pair.id,
            person_id=request.person.id,
            phase=phase,
            area=area,
            level=level,
            created_at=request.now,
        )
        for area, level in levels.items()
    )
    request.audit("competencies.rate", "pair", pair.id, phase=phase, areas=len(levels))
    competencies: CompetencyList = request.core.competencies
    size = _page_size(request, len(competencies.areas))
    if (page + 1) * size < len(competencies.areas):
        return Reply(
            message=Message(
                render("reflections.assess_page_saved"),
                buttons=(assessment_button(pair.id, phase, page + 1),),
            )
        )
    return Reply.text(render(f"reflections.assess_saved_{phase}"))


# -- the verbs, and the reminder ------------------------------------------------------------------


def _reflect_context(request: Request, pair: Pair, values: Mapping[str, Any]) -> str | None:
    latest = latest_reflection(request.session, pair)
    return f"pair:{pair.id}:{REFLECT}:{latest.id}" if latest is not None else None


def _reflect(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    """Answers typed as options (Discord); with none, the form opens (see ``commands``)."""
    latest = latest_reflection(request.session, pair)
    if latest is None:
        raise InputError(render("reflections.none_yet"))
    problems = _problems(request.session, pair, values)
    if problems:
        raise InputError(" ".join(problems.values()), field=next(iter(problems)))
    return _record_reflection(request, pair, latest, values)


def _assess_context(request: Request, pair: Pair, values: Mapping[str, Any]) -> str:
    closing = request.session.scalar(
        select(Delivery.id).where(
            Delivery.pair_id == pair.id,
            Delivery.kind == DeliveryKind.CLOSING,
            Delivery.status == DeliveryStatus.SENT,
        )
    )
    return f"pair:{pair.id}:{CLOSING if closing else KICKOFF}:0"


def _assess(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    return Reply(form=_build_assessment(request, _assess_context(request, pair, values)))


REFLECTION = FormKind(REFLECTION_FORM, _reflect_context, _build_reflection, _submit_reflection)
ASSESSMENT = FormKind(COMPETENCY_FORM, _assess_context, _build_assessment, _submit_assessment)

REFLECT_VERB = Verb(
    "reflect",
    "answer your pair's latest reflection (it goes to your coordinators)",
    _reflect,
    (SCORE, WORKED, CHANGE, REACHED, SHARE),
    example="/mentoring reflect",
    form=REFLECTION_FORM,
)
ASSESS_VERB = Verb(
    "competencies",
    "rate yourself on the program's competencies (at the start and at the close)",
    _assess,
    example="/mentoring competencies",
    form=COMPETENCY_FORM,
)
# The `/mentoring` verbs declared here (``mentoring.MENTORING`` lists them): what ``bind`` names
# in a refusal of a form's answer.
MENTORING_OUTCOMES = Command("mentoring", "", (REFLECT_VERB, ASSESS_VERB), "reflect")


def owed_reminders(session: Session, now: dt.datetime, late_limit: dt.timedelta) -> list[dict]:
    """A reminder row for each reflection sent a week ago that a member of its (active) pair
    has not answered; one per reflection (its round key), none once the week is long past."""
    answers = (
        select(func.count(Reflection.id))
        .where(Reflection.delivery_id == Delivery.id)
        .scalar_subquery()
    )
    reminder = aliased(Delivery)
    reminded = select(reminder.id).where(reminder.reminds_id == Delivery.id).exists()
    due = session.execute(
        select(Delivery.id, Delivery.pair_id, Delivery.sent_at)
        .join(Pair, Pair.id == Delivery.pair_id)
        .where(
            and_(
                Delivery.kind.in_(REFLECTED),
                Delivery.status == DeliveryStatus.SENT,
                Delivery.sent_at <= now - REMINDER_AFTER,
                Delivery.sent_at > now - REMINDER_AFTER - late_limit - dt.timedelta(days=1),
                Pair.status == PairStatus.ACTIVE,
                answers < 2,
                ~reminded,
            )
        )
    ).all()
    return [
        {
            "pair_id": pair_id,
            "kind": DeliveryKind.REMINDER.value,
            "round_key": f"reminder:{delivery_id}",
            "due_at": sent_at + REMINDER_AFTER,
            "reminds_id": delivery_id,
        }
        for delivery_id, pair_id, sent_at in due
    ]


def unanswered_by(delivery: Delivery) -> list[str]:
    """The display names of the pair's members who have not answered ``delivery``."""
    pair = delivery.pair
    session = object_session(delivery)
    query = select(Reflection.person_id).where(Reflection.delivery_id == delivery.id)
    answered = set(session.scalars(query)) if session is not None else set()
    return [m.display_name for m in (pair.mentor, pair.mentee) if m.id not in answered]
