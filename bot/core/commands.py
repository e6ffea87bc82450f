"""Every command the bot answers, and how an invocation of one is carried out.

The declarations live beside their handlers (``goals``, ``meetings``, ``mentoring``,
``summary``); this module collects them and runs an ``Invocation`` the same way whichever
platform sent it: who may, which pair, a form when that is what was asked for, checked values,
then the verb's handler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from bot.core import goals, meetings, mentoring, mentoring_admin, reflections, summary
from bot.core.context import Request
from bot.core.errors import FormOffer, InputError, PermissionDenied
from bot.core.forms import FormKind
from bot.core.grammar import (
    DIGITS,
    Audience,
    Command,
    Invocation,
    Member,
    Style,
    as_options,
    bind,
    example_of,
    help_text,
    missing_required,
    usage_in,
)
from bot.core.paging import PageAction
from bot.core.pairs import resolve_pair
from bot.core.replies import Message, Reply
from prompts.messages import render
from storage.models import Pair

COMMANDS: tuple[Command, ...] = (
    goals.GOAL,
    meetings.LOG_MEETING,
    mentoring.MENTORING,
    summary.SUMMARY,
    mentoring_admin.ADMIN,
)
BY_NAME = {command.name: command for command in COMMANDS}
FORMS: dict[str, FormKind] = {
    kind.form_id: kind
    for kind in (
        goals.FORM,
        meetings.FORM,
        mentoring_admin.FORM,
        mentoring_admin.ANNOUNCEMENT,
        reflections.REFLECTION,
        reflections.ASSESSMENT,
    )
}


def execute(request: Request, command: Command, invocation: Invocation) -> Reply:
    """Carry out ``invocation`` of ``command`` for ``request``'s caller."""
    verb = next((v for v in command.verbs if v.name == invocation.verb), None)
    if verb is None:
        raise InputError(render("commands.no_such_verb", slash=command.slash, verb=invocation.verb))
    style = invocation.style
    extra = [name for name in invocation.raw if name not in {a.name for a in verb.args}]
    if extra:
        raise InputError(
            render(
                "commands.extra",
                usage=usage_in(command, verb, style),
                extra=", ".join(extra),
                example=example_of(command, verb, style),
            )
        )
    if command.audience == Audience.COORDINATORS and not request.is_coordinator:
        raise PermissionDenied(render("commands.coordinators_only", slash=command.slash))
    pair = None
    if verb.needs_pair or invocation.partners:
        if style == Style.TEXT:
            shown = f" {verb.name}" if verb.shown_name else ""
            example = f"{command.slash} @{{name}}{shown} …"
        else:
            example = as_options(command, verb, {}, partner="{name}") + " …"
        pair = resolve_pair(request, invocation.partners, example, invocation.mentions)
    if verb.run is None:
        return Reply.text(help_text(command, style))
    today = request.today(pair.program.timezone if pair else None)
    values, errors = bind(command, verb, invocation.raw, today, style)
    for arg in verb.args:  # a person named by a mention is the user id the platform gave
        if isinstance(arg, Member) and isinstance(values.get(arg.name), str):
            values[arg.name] = arg.resolve(values[arg.name], invocation.mentions)
    kind = FORMS.get(verb.form or "") if pair is not None else None
    if kind is not None and (not invocation.raw or missing_required(verb, invocation.raw)):
        context = kind.context(request, pair, values)
        if context is not None:
            form = kind.build(request, context)
            return Reply(form=form.filled(_for_form(invocation.raw, values, errors)))
    try:
        if errors:
            # Words another verb refused may have been meant as the default verb's text.
            nothing_read = all(name in errors for name in invocation.raw)
            hint = command.words_hint if invocation.verb_typed and nothing_read else ""
            lines = [*errors.values(), hint.format(text=invocation.said)]
            raise InputError("\n".join(lines).strip())
        if verb.needs_pair:
            return verb.run(request, pair, values)
        return verb.run(request, values)
    except InputError as error:
        if kind is None or pair is None or error.offer is not None:
            raise
        context = kind.context(request, pair, values)
        if context is None:
            raise
        offer = FormOffer(kind.form_id, context, _for_form(invocation.raw, values, errors))
        raise InputError(error.message, field=error.field, offer=offer) from error


def _for_form(
    raw: Mapping[str, object], values: Mapping[str, Any], errors: Mapping[str, str]
) -> dict[str, object]:
    """What a form can be filled in with: each value as read, a day as a date."""
    found: dict[str, object] = {}
    for name, value in raw.items():
        checked = values.get(name)
        found[name] = checked if isinstance(checked, dt.date) and name not in errors else value
    return found


Listing = Callable[[Request, str, int], Message]


def _pair_listing(listing: Callable[[Request, Pair, int], Message]) -> Listing:
    """A list of one pair's, shown only to that pair's members."""

    def page(request: Request, subject: str, start: int) -> Message:
        pair = request.session.get(Pair, int(subject)) if DIGITS.fullmatch(subject) else None
        if pair is None or request.person.id not in (pair.mentor_id, pair.mentee_id):
            raise InputError(render("commands.other_pairs_list"))
        return listing(request, pair, start)

    return page


LISTINGS: dict[str, Listing] = {
    goals.GOALS_LISTING: _pair_listing(goals.goal_list),
    meetings.MEETINGS_LISTING: _pair_listing(meetings.meeting_list),
    summary.ATTENTION_LISTING: summary.attention_page,
    mentoring_admin.PAIRS_LISTING: mentoring_admin.pairs_page,
}


def show_page(request: Request, action: str) -> Reply:
    """Another page of a list, in place of the page whose button was pressed."""
    parsed = PageAction.parse(action)
    listing = LISTINGS.get(parsed.listing) if parsed else None
    if parsed is None or listing is None:
        raise InputError(render("commands.list_out_of_date"))
    return Reply(replacement=listing(request, str(parsed.subject), parsed.start))
