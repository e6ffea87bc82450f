"""`/mentoring-admin` (coordinators): a program's settings as a form, or changed by options.

`/mentoring-admin program` on its own opens the program form, every setting filled in with
what it is now; with options (`--every 2w --on thursday`) it changes those. The form's fields
are named as the verb's arguments, so a submission is bound and checked exactly as the typed
options are, and a refused value is shown beside its field. The rhythm comes first in the form:
it is what coordinators change most, and a platform that shows only a few fields (Discord's
five) shows those; the rest are the command's options there. The CLI reads its options through
the same declaration (``cli_change``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.core.announcements import TEXT_LIMIT, announce
from bot.core.context import Request
from bot.core.errors import InputError, PermissionDenied
from bot.core.forms import FormKind
from bot.core.grammar import (
    DIGITS,
    QUOTES,
    Audience,
    Command,
    Name,
    Style,
    Text,
    Verb,
    bind,
    help_verb,
)
from bot.core.programs import (
    AT,
    COHORTS,
    END,
    NAME_LIMIT,
    NEW_NAME,
    PAIRS_CHANNEL,
    SETTINGS,
    START,
    WEEKDAY_NAMES,
    WHICH,
    ZONE,
    ProgramChange,
    change_of,
    changed_fields,
    describe_program,
    edit_program,
    find_program,
)
from bot.core.replies import FieldKind, Form, FormField, Option, Reply
from prompts.messages import render
from storage.models import Program

PROGRAM_FORM = "program"
EVERY_CHOICES = 12
DISCORD = "discord"


def program_form(request: Request, program: Program) -> Form:
    """The form for ``program``, its intro the program as it stands."""
    cohorts = ", ".join(
        c.name for c in sorted(program.cohorts, key=lambda cohort: cohort.name.casefold())
    )
    fields = [
        FormField(
            "every",
            render("mentoring_admin.form_every"),
            FieldKind.SELECT,
            initial=str(program.interval_weeks),
            options=tuple(
                Option(
                    str(n),
                    render("mentoring_admin.every_week")
                    if n == 1
                    else render("mentoring_admin.every_weeks", weeks=n),
                )
                for n in range(1, EVERY_CHOICES + 1)
            ),
        ),
        FormField(
            "on",
            render("mentoring_admin.form_on"),
            FieldKind.SELECT,
            initial=WEEKDAY_NAMES[program.weekday].lower(),
            options=tuple(Option(day.lower(), day) for day in WEEKDAY_NAMES),
        ),
        FormField(
            "at",
            render("mentoring_admin.form_at"),
            initial=f"{program.local_time:%H:%M}",
            hint=render("mentoring_admin.form_at_hint"),
            max_length=AT.longest,
        ),
        FormField(
            "timezone",
            render("mentoring_admin.form_timezone"),
            initial=program.timezone,
            hint=render("mentoring_admin.form_timezone_hint"),
            max_length=ZONE.longest,
        ),
        FormField(
            "start",
            render("mentoring_admin.form_start"),
            FieldKind.DATE,
            initial=program.start_date.isoformat(),
            max_length=START.longest,
        ),
        FormField(
            "end",
            render("mentoring_admin.form_end"),
            FieldKind.DATE,
            initial=program.end_date.isoformat(),
            max_length=END.longest,
        ),
        FormField(
            "new_name",
            render("mentoring_admin.form_name"),
            initial=program.name,
            max_length=NAME_LIMIT,
        ),
        FormField(
            "cohorts",
            render("mentoring_admin.form_cohorts"),
            initial=cohorts,
            hint=render("mentoring_admin.form_cohorts_hint"),
            max_length=COHORTS.maximum,
        ),
    ]
    if request.actor.platform == DISCORD:
        fields.append(
            FormField(
                "channel",
                render("mentoring_admin.form_channel"),
                initial=program.pairs_channel_id or "",
                hint=render("mentoring_admin.form_channel_hint"),
                max_length=PAIRS_CHANNEL.maximum,
            )
        )
    return Form(
        PROGRAM_FORM,
        render("mentoring_admin.form_title"),
        tuple(fields),
        submit_label=render("mentoring_admin.form_save"),
        context=f"program:{program.id}",
        intro="\n".join(describe_program(request.session, program, request.now)),
        topic=program.name,
    )


def _program_of(request: Request, context: str) -> Program:
    if not request.is_coordinator:
        raise PermissionDenied(render("mentoring_admin.coordinators_only"))
    kind, _, number = context.partition(":")
    program = (
        request.session.get(Program, int(number))
        if kind == "program" and DIGITS.fullmatch(number)
        else None
    )
    if program is None:
        raise InputError(render("mentoring_admin.program_gone"))
    return program


def _build(request: Request, context: str) -> Form:
    return program_form(request, _program_of(request, context))


def _submit(request: Request, context: str, values: Mapping[str, object]) -> Reply:
    """Bind what was typed as the options are bound; each wrong value beside its field."""
    program = _program_of(request, context)
    raw = {name: _single(value) for name, value in values.items()}
    if raw.get("new_name") == program.name:
        raw.pop("new_name")
    checked, errors = bind(ADMIN, PROGRAM, raw, request.today(program.timezone))
    if errors:
        return Reply(field_errors=errors)
    try:
        return apply_change(request, program, change_of(_only_changed(program, checked)))
    except InputError as error:
        return Reply(field_errors={error.field or "new_name": error.message})


def _single(value: object) -> object:
    """A select's one value, as a typed option gives it."""
    if isinstance(value, list | tuple):
        return value[0] if len(value) == 1 else ", ".join(map(str, value))
    return value


def _only_changed(program: Program, values: Mapping[str, Any]) -> dict[str, Any]:
    """The form sends every field; the cohorts count as changed only when they differ, so a
    save that leaves them alone does not refuse to remove a cohort nobody asked to remove."""
    kept = dict(values)
    current = {c.name.casefold() for c in program.cohorts}
    typed = {n.strip().casefold() for n in str(kept.get("cohorts") or "").split(",") if n.strip()}
    if typed == current:
        kept["cohorts"] = None
    return kept


FORM = FormKind(PROGRAM_FORM, lambda request, pair, values: None, _build, _submit)


def read_change(
    command: Command, verb: Verb, raw: Mapping[str, object], today: dt.date, style: Style
) -> ProgramChange:
    """The settings typed (CLI options, chat flags or form fields), checked by the grammar;
    every wrong one is said at once."""
    values, errors = bind(command, verb, raw, today, style)
    if errors:
        raise InputError(" ".join(errors.values()))
    return change_of(values)


def _program(request: Request, values: Mapping[str, Any]) -> Reply:
    """The program form, or the change the options ask for."""
    program = find_program(request.session, values.get("program"), request.actor.workspace)
    change = change_of(values)
    if not changed_fields(change):
        return Reply(form=program_form(request, program))
    return apply_change(request, program, change)


def apply_change(request: Request, program: Program, change: ProgramChange) -> Reply:
    """Change the program, audited, and say what changed."""
    told = edit_program(request.session, program, change, request.now)
    request.audit("program.edit", "program", program.id, fields=changed_fields(change))
    return Reply.text("\n".join(told) or render("mentoring_admin.nothing_changed"))


PROGRAM = Verb(
    "program",
    "a program's settings as a form; with options, change its dates, rhythm, time zone, "
    "cohorts or Discord pairs channel (a new rhythm from the next round on)",
    _program,
    (WHICH, NEW_NAME, *SETTINGS),
    example="/mentoring-admin program --every 2w --on thursday --at 15:00",
    needs_pair=False,
)

ANNOUNCED = Text(
    "text",
    "TEXT",
    "what to tell every pair",
    required=True,
    example="The association's webinar is on 12 January",
    maximum=TEXT_LIMIT,
)
IN_PROGRAM = Name(
    "program", "PROGRAM", "the program, by name or id", example='"Spring 2027"', flag="--program"
)


def _announce(request: Request, values: Mapping[str, Any]) -> Reply:
    """Post to every active pair (of a cohort, when the text starts with its name)."""
    program = find_program(request.session, values.get("program"), request.actor.workspace)
    cohort, text = _leading_cohort(request, program, values["text"])
    told = announce(request.session, program, cohort, text, request.person.id, request.now)
    request.audit("program.announce", "program", program.id, cohort=cohort)
    return Reply.text(told)


def _leading_cohort(request: Request, program: Program, text: str) -> tuple[str | None, str]:
    """A cohort named first (in quotes, or as the first word) and the rest, else none."""
    names = {c.name.casefold(): c.name for c in program.cohorts}
    stripped = text.strip()
    for opening, closing in QUOTES.items():
        if stripped.startswith(opening) and closing in stripped[1:]:
            inside, _, rest = stripped[1:].partition(closing)
            if inside.strip().casefold() in names:
                return names[inside.strip().casefold()], rest.strip()
    first, _, rest = stripped.partition(" ")
    if first.casefold() in names and rest.strip():
        return names[first.casefold()], rest.strip()
    return None, stripped


ANNOUNCE = Verb(
    "announce",
    "post a message once into every active pair's conversation (of one cohort, when the "
    "message starts with its name)",
    _announce,
    (IN_PROGRAM, ANNOUNCED),
    example="/mentoring-admin announce Fall The association's webinar is on 12 January",
    needs_pair=False,
)

ADMIN = Command(
    "mentoring-admin",
    "set up and run programs (coordinators).",
    verbs=(PROGRAM, ANNOUNCE, help_verb("/mentoring-admin")),
    default="program",
    audience=Audience.COORDINATORS,
    notes=(
        'A program\'s name with spaces goes in quotes: `/mentoring-admin program "Spring 2027"`.',
    ),
)


def cli_change(raw: Mapping[str, object], today: dt.date) -> ProgramChange:
    """The settings given as CLI options, checked as the chat checks them."""
    return read_change(ADMIN, PROGRAM, raw, today, Style.CLI)
