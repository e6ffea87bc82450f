"""The ``mentorbot`` command line. Heavy libraries are imported inside commands, so
``mentorbot --help`` answers at once."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.core.service import Core
    from bot.core.summary import ParticipationSummary
    from bot.settings import Settings
    from scheduler.tick import TickReport

T = TypeVar("T")


def _settings() -> Settings:
    from bot.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


WORKSPACE = click.option(
    "--workspace",
    default="",
    help="The Slack workspace (team id, T012ABCDEF) it belongs to, for a bot installed into "
    "many workspaces.",
)


@contextmanager
def _friendly_errors() -> Iterator[None]:
    """Known failures become one line; a stack trace never reaches the operator."""
    from sqlalchemy.exc import OperationalError

    from bot.core.errors import InputError, PlatformUnreachable
    from bot.core.replies import unmarked
    from bot.settings import SettingsError
    from storage.db import DatabaseUnusable

    try:
        yield
    except (DatabaseUnusable, InputError, SettingsError, PlatformUnreachable) as error:
        raise click.ClickException(unmarked(str(error))) from None  # names typed, shown plain
    except OperationalError as error:
        raise click.ClickException(f"The database could not be used: {error.orig}") from None


def _core() -> Core:
    from bot.app import build_core

    with _friendly_errors():
        return build_core(_settings())


def _in_transaction(work: Callable[[Core, Session], T]) -> T:
    """Run one of the core's operations in one transaction, errors as one line."""
    core = _core()
    with _friendly_errors():
        return core.transaction(lambda session: work(core, session))


def _now(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"“{value}” is not an ISO time like 2027-03-02T15:00:00Z", param_hint="--now"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class OneLineErrors(click.Group):
    """Every command's file and database failures as one line naming what failed, whichever
    command met them (``_friendly_errors`` words the known ones more exactly)."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import OperationalError

        try:
            return super().invoke(ctx)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from None
        except OperationalError as error:
            raise click.ClickException(f"The database could not be used: {error.orig}") from None


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """mentorbot: coaches mentor–mentee pairs through a mentoring year on Slack and Discord."""


@main.command()
@click.option(
    "--platform",
    type=click.Choice(["auto", "slack", "discord", "console"]),
    default="auto",
    show_default=True,
    help="auto starts every platform whose token is set, or the console when none is.",
)
def run(platform: str) -> None:
    """Run the bot and the scheduler."""
    import asyncio
    import logging

    from bot.app import platforms_to_start, run_platforms

    settings = _settings()
    names = platforms_to_start(settings, platform)
    missing = [n for n in names if n == "slack" and not settings.slack_enabled] + [
        n for n in names if n == "discord" and not settings.discord_enabled
    ]
    if missing:
        variable = "SLACK_BOT_TOKEN" if missing[0] == "slack" else "DISCORD_BOT_TOKEN"
        raise click.ClickException(
            f"{variable} is not set; it is needed for --platform {missing[0]}."
        )
    if names != ["console"]:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    with _friendly_errors(), contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_platforms(settings, names))


@main.group()
def db() -> None:
    """The database schema."""


@db.command()
def upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    from storage.db import upgrade as upgrade_schema

    settings = _settings()
    with _friendly_errors():
        upgrade_schema(settings.database_url)
    click.echo("The database is up to date.")


def _program_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The program settings as options, from their declarations in ``bot.core.programs``."""
    from bot.core.programs import SETTINGS

    for arg in reversed(SETTINGS):
        shown = f"{arg.about}, e.g. {arg.example}"
        command = click.option(arg.flag, arg.name, metavar=arg.label, help=shown)(command)
    return command


def _print_lines(lines: list[str]) -> None:
    from bot.console.render import print_message
    from bot.core.replies import Message

    print_message(Message("\n".join(lines)))


@main.group()
def program() -> None:
    """Create and change programs: their dates, rhythm, time zone, cohorts and pairs channel."""


@program.command("create")
@click.argument("name")
@_program_options
@WORKSPACE
def create_program_cmd(name: str, workspace: str, **raw: str | None) -> None:
    """A new program; what is not given is from today for a year, every 3 weeks on Tuesday at
    10:00 in MENTORBOT_TIMEZONE."""
    from bot.core.mentoring_admin import cli_change
    from bot.core.programs import create_program, describe_program
    from bot.core.workspaces import checked_workspace

    def work(core: Core, session: Session) -> list[str]:
        now = core.clock()
        change = cli_change(raw, now.date())
        created = create_program(session, name, change, now.date(), core.settings.timezone)
        created.workspace = checked_workspace(core.settings, workspace, needed=False)
        core.audit(session, "cli", "program.create", "program", created.id)
        return [f"Created program {created.id}.", *describe_program(session, created, now)]

    _print_lines(_in_transaction(work))


@program.command("edit")
@click.argument("program_key", metavar="PROGRAM")
@click.option("--name", "new_name", help="A new name for the program.")
@_program_options
def edit_program_cmd(program_key: str, **raw: str | None) -> None:
    """Change a program (named, or by id); a new rhythm applies from the next round on."""
    from bot.core.mentoring_admin import cli_change
    from bot.core.programs import changed_fields, edit_program, find_program

    def work(core: Core, session: Session) -> list[str]:
        now = core.clock()
        found = find_program(session, program_key)
        change = cli_change(raw, now.date())
        if not changed_fields(change):
            raise click.UsageError("Say what to change, e.g. --every 2w; see --help.")
        told = edit_program(session, found, change, now)
        core.audit(
            session, "cli", "program.edit", "program", found.id, fields=changed_fields(change)
        )
        return told or ["Nothing changed: those are its settings already."]

    _print_lines(_in_transaction(work))


@program.command("list")
def list_programs_cmd() -> None:
    """Every program with its dates, rhythm and pairs."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from bot.core.programs import list_programs

    found = _in_transaction(lambda core, session: list_programs(session))
    if not found:
        click.echo("No programs yet; create one with `mentorbot program create NAME`.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("name", overflow="fold", ratio=1)
    table.add_column("dates", no_wrap=True)
    table.add_column("rhythm", overflow="fold", min_width=16, ratio=1)
    table.add_column("pairs", overflow="fold")
    for p in found:
        counts = (("active", p.active), ("paused", p.paused), ("ended", p.ended))
        pairs_text = ", ".join(f"{n} {what}" for what, n in counts if n) or "none"
        cells = (str(p.program_id), p.name, f"{p.start} – {p.end}", p.rhythm, pairs_text)
        table.add_row(*(Text(cell) for cell in cells))  # names are never read as markup
    Console().print(table)


@program.command("show")
@click.argument("program_key", metavar="PROGRAM", required=False)
def show_program_cmd(program_key: str | None) -> None:
    """One program's settings, cohorts and next round (the only one when not named)."""
    from bot.core.programs import describe_program, find_program

    def work(core: Core, session: Session) -> list[str]:
        return describe_program(session, find_program(session, program_key), core.clock())

    _print_lines(_in_transaction(work))


@main.command("announce")
@click.argument("text")
@click.option("--program", "program_key", help="The program (name or id); the only one if omitted.")
@click.option("--cohort", help="Only this cohort's pairs.")
def announce_cmd(text: str, program_key: str | None, cohort: str | None) -> None:
    """Post TEXT once into every active pair's conversation (at the next tick)."""
    from bot.core.announcements import announce
    from bot.core.programs import find_program

    def work(core: Core, session: Session) -> str:
        program = find_program(session, program_key)
        told = announce(session, program, cohort, text, None, core.clock())
        core.audit(session, "cli", "program.announce", "program", program.id, cohort=cohort)
        return told

    _print_lines([_in_transaction(work)])


@main.group()
def pairs() -> None:
    """Import and manage pairs."""


@pairs.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--program", "program_name", help="Program to import into (created if new).")
@click.option(
    "--platform",
    default=None,
    type=click.Choice(["slack", "discord", "console"]),
    help="Platform for rows without one (needed when Slack or Discord is set up; else console).",
)
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows even if some are bad.")
@WORKSPACE
@_program_options
def import_pairs(
    file: Path,
    program_name: str | None,
    platform: str | None,
    skip_bad_rows: bool,
    workspace: str,
    **settings: str | None,
) -> None:
    """Import pairs from a CSV file with columns mentor, mentee (platform, cohort, timezone,
    start, mentor_name, mentee_name optional). A new program takes the settings given."""
    from rich.console import Console
    from rich.progress import track
    from rich.text import Text

    from bot.core.mentoring_admin import cli_change
    from bot.core.pair_import import (
        ImportFileError,
        NothingImported,
        import_pairs,
        read_pairs_csv,
        summary_line,
    )

    console = Console()
    if not file.exists():
        raise click.ClickException(f"There is no file {file}.")
    try:
        report = read_pairs_csv(file.read_bytes(), platform, _settings())
    except ImportFileError as error:
        raise click.ClickException(f"{file}: {error}") from None

    def progress(rows: list[Any]) -> list[Any]:
        return list(track(rows, description="Importing pairs", console=console, transient=True))

    def work(core: Core, session: Session) -> None:
        change = cli_change(settings, core.clock().date())
        import_pairs(
            core, session, report, program_name, change, skip_bad_rows, progress, workspace
        )

    try:
        _in_transaction(work)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    except NothingImported:
        report.notes.clear()
    for note in report.notes:  # what the file holds is never read as markup
        console.print(Text(note, style="dim"), soft_wrap=True)
    for line, message in sorted(report.errors):
        console.print(Text(f"{file}, line {line}: ", style="red") + Text(message), soft_wrap=True)
    if report.errors and not skip_bad_rows:
        raise click.ClickException(
            f"{len(report.errors)} bad row(s), so nothing was imported. Fix them, or add "
            "--skip-bad-rows to import the good rows."
        )
    console.print(Text(summary_line(report)), soft_wrap=True)


@pairs.command("list")
@click.option("--status", type=click.Choice(["active", "paused", "ended"]))
@click.option("--cohort")
def list_pairs(status: str | None, cohort: str | None) -> None:
    """List pairs."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from bot.console.render import KeepingTail
    from bot.core.admin import list_pairs as listed

    rows = _in_transaction(lambda core, session: listed(session, status, cohort))
    if not rows:
        click.echo("No pairs match; import some with `mentorbot pairs import FILE.csv`.")
        return
    # One line a pair, even in 80 columns: names and words shrink with "…" (a person's id is
    # always shown whole), numbers, statuses and dates never do; a program or platform that
    # every pair shares is said once, above the table.
    programs = {row.program for row in rows}
    platforms = {row.platform for row in rows}
    shared = [f"“{name}”" for name in programs if len(programs) == 1]
    shared += [f"on {name}" for name in platforms if len(platforms) == 1]
    table = Table(
        title=Text(" ".join(["Pairs", *shared])),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        caption="(person ids in brackets)",
    )
    table.add_column("id", no_wrap=True, justify="right")
    if len(programs) > 1:
        table.add_column("program")
    table.add_column("cohort")
    if len(platforms) > 1:
        table.add_column("platform", no_wrap=True)
    table.add_column("mentor")
    table.add_column("mentee")
    table.add_column("status", no_wrap=True)
    table.add_column("started", no_wrap=True)

    def word(text: str) -> Text:  # what people typed is never read as markup
        return Text(text, no_wrap=True, overflow="ellipsis")

    for row in rows:
        table.add_row(
            str(row.pair_id),
            *([word(row.program)] if len(programs) > 1 else []),
            word(row.cohort),
            *([row.platform] if len(platforms) > 1 else []),
            KeepingTail(row.mentor, f" ({row.mentor_id})"),
            KeepingTail(row.mentee, f" ({row.mentee_id})"),
            row.status,
            row.started.isoformat(),
        )
    Console().print(table)


@pairs.command("pause")
@click.argument("pair_id", type=int)
@click.option("--weeks", type=click.IntRange(1, 26), default=4, show_default=True)
def pause_cmd(pair_id: int, weeks: int) -> None:
    """Hold a pair's suggestions."""
    from bot.core.admin import pause

    click.echo(_in_transaction(lambda core, session: pause(core, session, pair_id, weeks)))


@pairs.command("resume")
@click.argument("pair_id", type=int)
def resume_cmd(pair_id: int) -> None:
    """Resume a paused pair."""
    from bot.core.admin import resume

    click.echo(_in_transaction(lambda core, session: resume(core, session, pair_id)))


@pairs.command("end")
@click.argument("pair_id", type=int)
@click.option("--reason", default="", help="Why it ends (kept for the funder report).")
def end_cmd(pair_id: int, reason: str) -> None:
    """End a pair (its history is kept)."""
    from bot.core.admin import end

    click.echo(_in_transaction(lambda core, session: end(core, session, pair_id, reason)))


@pairs.command("rematch")
@click.argument("pair_id", type=int)
@click.option("--mentor", help="The new mentor: person id, user id, e-mail or name.")
@click.option("--mentee", help="The new mentee: person id, user id, e-mail or name.")
@click.option("--reason", default="", help="Why (default: re-matched).")
def rematch_cmd(pair_id: int, mentor: str | None, mentee: str | None, reason: str) -> None:
    """End a pair and match the member who stays with a new mentor or mentee."""
    from bot.core.admin import rematch

    def work(core: Core, session: Session) -> str:
        return rematch(core, session, pair_id, mentor=mentor, mentee=mentee, reason=reason)

    click.echo(_in_transaction(work))


@pairs.command("handled")
@click.argument("pair_id", type=int)
def handled_cmd(pair_id: int) -> None:
    """Mark a pair's help requests handled (the summary then says so)."""
    from bot.core.help_requests import handled_from_cli

    click.echo(_in_transaction(lambda core, session: handled_from_cli(core, session, pair_id)))


@main.group()
def nudge() -> None:
    """Suggestion rounds and check-ins."""


@nudge.command()
@click.option("--dry-run", is_flag=True, help="Print what is due and send nothing.")
@click.option("--now", "now_text", help="Pretend it is this time (ISO 8601).")
def tick(dry_run: bool, now_text: str | None) -> None:
    """Deliver every suggestion and check-in due now, once."""
    import asyncio

    from bot.app import build_core, build_ticker, tick_outbounds
    from bot.core.replies import unmarked

    now = _now(now_text)
    with _friendly_errors():
        core = build_core(_settings())

    async def one_tick() -> TickReport:
        if dry_run:  # says what is due without contacting any platform
            return await build_ticker(core, {}).tick(now, dry_run=True)
        async with tick_outbounds(core) as outbounds:
            return await build_ticker(core, outbounds).tick(now)

    with _friendly_errors():
        report = asyncio.run(one_tick())
    if dry_run:
        for item in report.would_send:
            click.echo(
                f"would send {item.kind} to pair {item.address.pair_id}:\n"
                f"{unmarked(item.message.text)}\n"
            )
        click.echo(f"{len(report.would_send)} delivery(ies) due; nothing sent (dry run).")
        return
    for item in report.sent:
        click.echo(f"sent {item.kind} to pair {item.address.pair_id}")
    for item, reason in report.retrying:
        click.echo(f"will retry {item.kind} to pair {item.address.pair_id}: {reason}")
    for item, reason in report.failed:
        click.echo(f"failed {item.kind} to pair {item.address.pair_id}: {reason}")
    click.echo(
        f"{len(report.sent)} sent, {len(report.retrying)} to retry, {len(report.failed)} failed."
    )
    if report.lost:
        click.echo(f"{report.lost} left to another ticker running at the same time.")
    if report.opened:
        click.echo(f"{report.opened} pair conversation(s) opened ahead of their first round.")
    if report.retracted:
        click.echo(f"{report.retracted} message(s) about forgotten members deleted.")


@main.command()
@click.option("--cohort")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--period", help="A quarter, like 2027Q1.")
@click.option("--from", "start", help="First day, like 2027-01-01.")
@click.option("--to", "end", help="Last day, like 2027-03-31.")
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a PNG chart of meetings per week to this file.",
)
def summary(
    cohort: str | None,
    fmt: str,
    period: str | None,
    start: str | None,
    end: str | None,
    chart: Path | None,
) -> None:
    """The participation summary."""
    from bot.core.private_files import write_private
    from bot.core.summary import (
        compute_summary,
        meetings_chart_png,
        read_period,
        summary_csv,
        summary_json,
        summary_message,
    )

    def work(core: Core, session: Session) -> ParticipationSummary:
        now = core.clock()
        raw = {"period": period, "start": start, "end": end}
        return compute_summary(session, now, cohort=cohort, period=read_period(raw, now.date()))

    result = _in_transaction(work)
    if chart:
        write_private(chart, meetings_chart_png(result))
    if fmt == "csv":
        sys.stdout.write(summary_csv(result).decode())
    elif fmt == "json":
        # Indented for a person at a terminal; compact (and several times faster) for programs.
        indent = 2 if sys.stdout.isatty() else None
        click.echo(json.dumps(summary_json(result), indent=indent))
    else:
        from bot.console.render import print_message

        print_message(summary_message(result))
    if chart:
        click.echo(f"Chart written to {chart}.", err=True)


@main.command("report")
@click.option("--program", "program_key", help="The program (name or id); all if omitted.")
@click.option("--cohort", help="Only this cohort's pairs.")
@click.option("--period", help="A quarter, like 2027Q1.")
@click.option("--from", "start", help="First day, like 2027-01-01.")
@click.option("--to", "end", help="Last day, like 2027-03-31.")
@click.option("--with-names", is_flag=True, help="Name the members of each pair.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write (readable by you only).",
)
def report_cmd(
    program_key: str | None,
    cohort: str | None,
    period: str | None,
    start: str | None,
    end: str | None,
    with_names: bool,
    output: Path,
) -> None:
    """The funder report: one self-contained HTML file per program and cohort (charts inside,
    prints cleanly to PDF); no member named unless --with-names, never a meeting's notes."""
    from bot.core.private_files import write_private
    from bot.core.report import build_report, render_html, report_line
    from bot.core.summary import read_period

    def work(core: Core, session: Session) -> tuple[bytes, str]:
        now = core.clock()
        raw = {"period": period, "start": start, "end": end}
        report = build_report(
            session,
            now,
            core.competencies,
            program=program_key,
            cohort=cohort,
            period=read_period(raw, now.date()),
            with_names=with_names,
        )
        return render_html(report), report_line(report)

    content, holds = _in_transaction(work)
    write_private(output, content)
    click.echo(f"Report written to {output}: {holds}.")


@main.command()
def demo() -> None:
    """Fill a fresh local database with a sample program, pairs, goals and meetings."""
    from bot.core.demo import DemoExists, fill_demo

    try:
        program = _in_transaction(lambda core, s: fill_demo(s, core.catalog, core.clock()))
    except DemoExists as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the demo program “{program.name}” with 3 pairs. Try `mentorbot run`.")


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export(output: Path | None) -> None:
    """Export all data as JSON (meeting notes and next steps only where their writer shared
    them), to a file only its owner can read."""
    from bot.core.private_files import write_private
    from storage.export import export_all

    data = _in_transaction(lambda core, session: export_all(session))
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if output:
        write_private(output, text.encode("utf-8"))
        click.echo(f"Exported to {output}.")
    else:
        click.echo(text)


@main.group()
def coordinators() -> None:
    """Who may read the participation summary and manage the program."""


@coordinators.command("add")
@click.argument("platform", type=click.Choice(["slack", "discord", "console"]))
@click.argument("user_id")
@click.option("--name", default="", help="Their name, to recognise them in the list.")
@WORKSPACE
def add_coordinator(platform: str, user_id: str, name: str, workspace: str) -> None:
    """Give a platform user coordinator rights (kept in the database)."""
    from bot.core.coordinators import add_coordinator as add

    click.echo(
        _in_transaction(lambda core, s: add(core, s, platform, user_id, name, workspace=workspace))
    )


@coordinators.command("remove")
@click.argument("platform", type=click.Choice(["slack", "discord", "console"]))
@click.argument("user_id")
@WORKSPACE
def remove_coordinator(platform: str, user_id: str, workspace: str) -> None:
    """Take coordinator rights kept in the database away again."""
    from bot.core.coordinators import remove_coordinator as remove

    click.echo(
        _in_transaction(lambda core, s: remove(core, s, platform, user_id, workspace=workspace))
    )


@coordinators.command("list")
def list_coordinators() -> None:
    """List every coordinator, each under where their rights come from: the database,
    MENTORBOT_COORDINATORS and MENTORBOT_DISCORD_COORDINATOR_ROLE."""
    from bot.core.coordinators import coordinator_sources

    sources = _in_transaction(lambda core, s: coordinator_sources(core.settings, s))
    for number, source in enumerate(sources):
        click.echo(("\n" if number else "") + source.heading)
        width = [len(cell) for cell in source.rows[0]] if source.rows else []
        for row in source.rows:  # the rows of one source have the same cells
            width = [max(w, len(cell)) for w, cell in zip(width, row, strict=True)]
        for row in source.rows:
            cells = (cell.ljust(w) for cell, w in zip(row, width, strict=True))
            click.echo("  " + "  ".join(cells).rstrip())
        if not source.rows:
            click.echo(f"  {source.empty}")


@main.command("forget")
@click.argument("person")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget_cmd(person: str, yes: bool) -> None:
    """Delete a member's goals, meetings, clicks, answers and audit entries, strip their
    identity and leave no readable copy (PERSON: the person id `pairs list` shows, or a
    platform user id, e-mail address or name that only one person has)."""
    from bot.core.admin import forget_person, person_to_forget

    core = _core()
    with _friendly_errors():
        person_id, described = core.transaction(lambda s: person_to_forget(s, person))
    if not yes and not click.confirm(f"Forget {described}? This cannot be undone"):
        raise click.Abort
    with _friendly_errors():
        done, scrubbed = forget_person(core, person_id)
    click.echo(
        f"Forgot {described}: {done.goals} goal(s), {done.meetings} meeting(s), "
        f"{done.clicks} click(s), {done.answers} reflection or self-assessment answer(s) and "
        f"{done.audit_entries} audit entr(ies) deleted; "
        "their pairs' other history is kept."
    )
    if done.posts:
        click.echo(
            f"The bot deletes its {done.posts} message(s) that named or quoted them at its "
            "next tick (`mentorbot run` or `mentorbot nudge tick`)."
        )
    if not scrubbed:
        click.echo("The database log was busy; it is emptied at the next checkpoint.")
