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

from bot.core.admin import REASON_LIMIT, end, list_pairs, pause, rematch, resume
from bot.core.announcements import TEXT_LIMIT, announce
from bot.core.context import Request
from bot.core.coordinators import add_coordinator, coordinator_sources, remove_coordinator
from bot.core.errors import InputError, PermissionDenied
from bot.core.forms import FormKind
from bot.core.grammar import (
    DIGITS,
    QUOTES,
    Audience,
    Command,
    Member,
    Name,
    Number,
    Pick,
    Style,
    Text,
    Verb,
    bind,
    help_verb,
)
from bot.core.limits import DEFAULT_PAUSE_WEEKS, MAX_NUMBER, MAX_PAUSE_WEEKS
from bot.core.paging import PageAction, paged
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
from bot.core.replies import FieldKind, Form, FormField, Message, Option, Reply, said
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
    example="The association's webinar is on 12 January",
    maximum=TEXT_LIMIT,
)  # not required: `/mentoring-admin announce` alone opens the announcement form
ANNOUNCE_FORM = "announce"
EVERY_COHORT = "*"
IN_PROGRAM = Name(
    "program", "PROGRAM", "the program, by name or id", example='"Spring 2027"', flag="--program"
)


def _announce(request: Request, values: Mapping[str, Any]) -> Reply:
    """Post to every active pair (of a cohort, when the text starts with its name); with no
    text, the announcement form."""
    program = find_program(request.session, values.get("program"), request.actor.workspace)
    if not values.get("text"):
        return Reply(form=announcement_form(program))
    cohort, text = _leading_cohort(request, program, values["text"])
    return _announced(request, program, cohort, text)


def _announced(request: Request, program: Program, cohort: str | None, text: str) -> Reply:
    told = announce(request.session, program, cohort, text, request.person.id, request.now)
    request.audit("program.announce", "program", program.id, cohort=cohort)
    return Reply.text(told)


def announcement_form(program: Program) -> Form:
    """What to tell the pairs of ``program``, and which cohort's (every one, by default)."""
    cohorts = sorted(program.cohorts, key=lambda cohort: cohort.name.casefold())
    fields = [
        FormField(
            ANNOUNCED.name,
            render("mentoring_admin.announce_text"),
            FieldKind.LONG_TEXT,
            required=True,
            max_length=TEXT_LIMIT,
        )
    ]
    if cohorts:
        fields.append(
            FormField(
                "cohort",
                render("mentoring_admin.announce_cohort"),
                FieldKind.SELECT,
                required=True,
                initial=EVERY_COHORT,
                options=(
                    Option(EVERY_COHORT, render("mentoring_admin.announce_every_cohort")),
                    *(Option(str(c.id), c.name[:75]) for c in cohorts),
                ),
            )
        )
    return Form(
        ANNOUNCE_FORM,
        render("mentoring_admin.announce_title"),
        tuple(fields),
        submit_label=render("mentoring_admin.announce_submit"),
        context=f"program:{program.id}",
        intro=render("mentoring_admin.announce_intro", program=said(program.name)),
        topic=program.name,
    )


def _submit_announcement(request: Request, context: str, values: Mapping[str, object]) -> Reply:
    program = _program_of(request, context)
    text = str(_single(values.get(ANNOUNCED.name)) or "")
    chosen = str(_single(values.get("cohort")) or EVERY_COHORT)
    cohort = next((c.name for c in program.cohorts if str(c.id) == chosen), None)
    if chosen != EVERY_COHORT and cohort is None:
        return Reply(field_errors={"cohort": render("mentoring_admin.announce_cohort_gone")})
    try:
        return _announced(request, program, cohort, text)
    except InputError as error:
        return Reply(field_errors={error.field or ANNOUNCED.name: error.message})


ANNOUNCEMENT = FormKind(
    ANNOUNCE_FORM,
    lambda request, pair, values: None,
    lambda request, context: announcement_form(_program_of(request, context)),
    _submit_announcement,
)


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

PAIR_ACTIONS = ("list", "pause", "resume", "end", "rematch")
PAIR_ACTION = Pick("action", "ACTION", "what to do with a pair", example="pause")
PAIR_NUMBER = Number(
    "pair",
    "PAIR",
    "a pair number",
    example="12",
    maximum=MAX_NUMBER,
    hint="`/mentoring-admin pairs` lists them",
)
PAUSE_WEEKS = Number(
    "weeks",
    "WEEKS",
    "a number of weeks",
    example="4",
    flag="--weeks",
    maximum=MAX_PAUSE_WEEKS,
)
NEW_MENTOR = Member("mentor", "PERSON", "the new mentor", example="@dee", flag="--mentor")
NEW_MENTEE = Member("mentee", "PERSON", "the new mentee", example="@dee", flag="--mentee")
WHY = Text(
    "reason", "REASON", "why it ends", example="moved to another library", maximum=REASON_LIMIT
)
PAIRS_LISTING = "ap"


def _pairs(request: Request, values: Mapping[str, Any]) -> Reply:
    """List the pairs, or pause, resume, end or re-match one, as `mentorbot pairs` does."""
    action = str(values.get("action") or "list").casefold()
    if action not in PAIR_ACTIONS:
        raise InputError(
            render(
                "mentoring_admin.pairs_action",
                action=said(action),
                actions=", ".join(f"`{a}`" for a in PAIR_ACTIONS),
            ),
            field="action",
        )
    if action == "list":
        return Reply(message=pairs_page(request, "all", 0))
    number = values.get("pair")
    if number is None:
        raise InputError(render("mentoring_admin.pairs_needs_pair", action=action), field="pair")
    _only_for(values, action)
    core, session, by = request.core, request.session, request.person_label
    if action == "pause":
        told = pause(core, session, number, values.get("weeks") or DEFAULT_PAUSE_WEEKS, by=by)
    elif action == "resume":
        told = resume(core, session, number, by=by)
    elif action == "end":
        told = end(core, session, number, values.get("reason") or "", by=by)
    else:
        told = rematch(
            core,
            session,
            number,
            mentor=values.get("mentor"),
            mentee=values.get("mentee"),
            reason=values.get("reason") or "",
            by=by,
        )
    return Reply.text(told)


# Which of the verb's options each action takes; any other given is refused, naming it.
TAKES = {
    "pause": {"weeks"},
    "resume": set(),
    "end": {"reason"},
    "rematch": {"mentor", "mentee", "reason"},
}


def _only_for(values: Mapping[str, Any], action: str) -> None:
    extra = [
        name
        for name in ("weeks", "mentor", "mentee", "reason")
        if values.get(name) and name not in TAKES[action]
    ]
    if extra:
        shown = [
            render("mentoring_admin.the_words", words=said(values[name]))
            if name == WHY.name
            else f"--{name}"
            for name in extra
        ]
        raise InputError(
            render("mentoring_admin.pairs_extra", action=action, extra=" or ".join(shown)),
            field=extra[0],
        )


def pairs_page(request: Request, subject: str, start: int) -> Message:
    """Every pair, a page at a time (coordinators only)."""
    if not request.is_coordinator:
        raise PermissionDenied(render("mentoring_admin.coordinators_only"))
    listed = list_pairs(request.session, None, None)
    entries = [
        render(
            "mentoring_admin.pairs_entry",
            pair=p.pair_id,
            mentor=said(p.mentor),
            mentee=said(p.mentee),
            program=said(p.program),
            cohort=said(p.cohort) if p.cohort else render("mentoring_admin.no_cohort"),
            status=p.status,
            started=f"{p.started:%-d %b %Y}",
        )
        for p in listed
    ]
    if not entries:
        return Message(render("mentoring_admin.no_pairs"))
    return paged(
        render("mentoring_admin.pairs_heading", count=len(entries)),
        entries,
        start,
        lambda at: str(PageAction(PAIRS_LISTING, subject, at)),
    )


PAIRS = Verb(
    "pairs",
    "list the pairs; `pause PAIR [--weeks N]`, `resume PAIR`, `end PAIR [REASON]`, "
    "`rematch PAIR --mentor PERSON | --mentee PERSON [REASON]`",
    _pairs,
    (PAIR_ACTION, PAIR_NUMBER, PAUSE_WEEKS, NEW_MENTOR, NEW_MENTEE, WHY),
    example="/mentoring-admin pairs end 12 moved to another library",
    needs_pair=False,
)

COORDINATOR_ACTIONS = ("list", "add", "remove")
COORDINATOR_ACTION = Pick("action", "ACTION", "what to do", example="add")
WHO = Member("who", "PERSON", "who (a mention or a user id)", example="@casey")


def _coordinators(request: Request, values: Mapping[str, Any]) -> Reply:
    """List the coordinators, or add or remove one on this platform, as the CLI does."""
    action = str(values.get("action") or "list").casefold()
    if action not in COORDINATOR_ACTIONS:
        raise InputError(
            render("mentoring_admin.coordinators_action", action=said(action)), field="action"
        )
    if action == "list":
        lines = []
        for source in coordinator_sources(request.core.settings, request.session):
            lines.append(f"**{source.heading}**")
            lines += [f"• {said('  '.join(row))}" for row in source.rows]
            if not source.rows:
                lines.append(render("mentoring_admin.coordinators_none"))
        return Reply.text("\n".join(lines))
    who = values.get("who")
    if not who:
        raise InputError(
            render("mentoring_admin.coordinators_needs_who", action=action), field="who"
        )
    platform, by = request.actor.platform, request.person_label
    if action == "add":
        told = add_coordinator(request.core, request.session, platform, who, by=by)
    else:
        told = remove_coordinator(request.core, request.session, platform, who, by=by)
    return Reply.text(told)


COORDINATORS = Verb(
    "coordinators",
    "list the coordinators; `add PERSON`, `remove PERSON` (on this platform)",
    _coordinators,
    (COORDINATOR_ACTION, WHO),
    example="/mentoring-admin coordinators add @casey",
    needs_pair=False,
)

ADMIN = Command(
    "mentoring-admin",
    "set up and run programs (coordinators).",
    verbs=(PROGRAM, ANNOUNCE, PAIRS, COORDINATORS, help_verb("/mentoring-admin")),
    default="program",
    audience=Audience.COORDINATORS,
    notes=(
        'A program\'s name with spaces goes in quotes: `/mentoring-admin program "Spring 2027"`.',
    ),
)


def cli_change(raw: Mapping[str, object], today: dt.date) -> ProgramChange:
    """The settings given as CLI options, checked as the chat checks them."""
    return read_change(ADMIN, PROGRAM, raw, today, Style.CLI)
