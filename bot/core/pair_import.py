"""Importing pairs from a CSV file: every row checked first, then all imported or none.

Spreadsheets save CSV in many ways; a UTF-8 byte-order mark, semicolon separators and CR line
ends are accepted; a spreadsheet file, a header with no pairs and a broken line are refused
with what to do, and every bad row is reported by its line in the file with what to fix.

A row's platform is its ``platform`` cell, else the ``--platform`` given; with neither, a bot set
up for Slack or Discord asks which (pairs never land on the console unasked), one with no token
imports console pairs. A pair starts within its program's dates, and the summary line says on
which platform(s) the pairs were imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.core.errors import InputError
from bot.core.programs import ProgramChange, changed_fields, create_program, rhythm_text
from bot.core.workspaces import checked_workspace
from bot.settings import PLATFORMS, Settings
from prompts.messages import render
from storage.models import Cohort, Pair, PairStatus, Person, Program

if TYPE_CHECKING:
    from bot.core.service import Core

REQUIRED = ("mentor", "mentee")
OPTIONAL = ("platform", "cohort", "timezone", "start", "mentor_name", "mentee_name")
PLATFORM_NAMES = {
    "slack": render("pair_import.slack"),
    "discord": render("pair_import.discord"),
    "console": render("pair_import.console"),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DISCORD_ID = re.compile(r"^\d{15,21}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header); nothing was imported."""


class NothingImported(Exception):
    """A file with bad rows, imported without ``--skip-bad-rows``: everything is undone."""


@dataclass(frozen=True)
class PairRow:
    line: int
    platform: str
    mentor: str
    mentee: str
    mentor_name: str
    mentee_name: str
    cohort: str
    timezone: str | None
    start: dt.date | None


@dataclass
class ImportReport:
    rows: list[PairRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    imported: int = 0
    program: str = ""
    platforms: Counter[str] = field(default_factory=Counter)  # pairs imported, per platform


def read_pairs_csv(data: bytes, platform: str | None, settings: Settings) -> ImportReport:
    """Parse and check every row; nothing touches the database here. Rows are named by the
    file's own line numbers (a blank line or a cell spanning lines counts as a spreadsheet
    shows it), and a file that is not a CSV of pairs is refused with what to do. ``platform``
    (``--platform``, None when not given) is for rows without a platform of their own."""
    default_platform = platform or (None if platforms_set_up(settings) else "console")
    text = _decoded(data)
    report = ImportReport()
    if data.startswith(b"\xef\xbb\xbf"):
        report.notes.append(render("pair_import.bom"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Excel's "CSV (Macintosh)": CR
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise ImportFileError(render("pair_import.empty"))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if delimiter == ";":
        report.notes.append(render("pair_import.semicolons"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = _records(reader)
    _, header_cells = next(rows)
    header = [name.strip().casefold() for name in header_cells]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            render(
                "pair_import.header_lacks",
                missing=", ".join(missing),
                optional=", ".join(OPTIONAL),
                header=first[:120],
            )
        )
    unknown = [name for name in header if name and name not in REQUIRED + OPTIONAL]
    if unknown:
        report.notes.append(render("pair_import.unknown_columns", columns=", ".join(unknown)))
    seen: dict[tuple[str, str, str], int] = {}
    any_row = False
    unplaced: list[int] = []  # lines with no platform, when the bot cannot tell which
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        any_row = True
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            report.errors.append(
                (number, render("pair_import.extra_cells", cells=len(cells), columns=len(header)))
            )
            continue
        values = {key: cell.strip() for key, cell in zip(header, cells, strict=False) if key}
        if default_platform is None and not values.get("platform"):
            unplaced.append(number)
            continue
        try:
            row = _check_row(number, values, default_platform or "")
        except ValueError as error:
            report.errors.append((number, str(error)))
            continue
        key = (row.platform, row.mentor.casefold(), row.mentee.casefold())
        if key in seen:
            report.errors.append((number, render("pair_import.same_pair", line=seen[key])))
            continue
        seen[key] = number
        report.rows.append(row)
    if not any_row:
        raise ImportFileError(render("pair_import.no_pairs"))
    if unplaced:
        raise ImportFileError(_ask_for_platform("platform" in header, unplaced, settings))
    return report


def platforms_set_up(settings: Settings) -> list[str]:
    """The chat platforms whose tokens are set, as `mentorbot run` would start them."""
    enabled = (("slack", settings.slack_enabled), ("discord", settings.discord_enabled))
    return [name for name, on in enabled if on]


def _ask_for_platform(has_column: bool, lines: list[int], settings: Settings) -> str:
    if not has_column:
        where = render("pair_import.no_platform_column")
    elif len(lines) == 1:
        where = render("pair_import.line_without_platform", line=lines[0])
    else:
        shown = ", ".join(str(n) for n in lines[:5]) + (", …" if len(lines) > 5 else "")
        where = render("pair_import.lines_without_platform", lines=shown)
    names = " and ".join(PLATFORM_NAMES[name] for name in platforms_set_up(settings))
    return render("pair_import.which_platform", where=where, names=names)


SPREADSHEETS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip) and old .xls


def _decoded(data: bytes) -> str:
    if data.startswith(SPREADSHEETS):
        raise ImportFileError(render("pair_import.spreadsheet"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(render("pair_import.not_utf8")) from None
    if "\x00" in text:
        raise ImportFileError(render("pair_import.binary"))
    return text


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Each record with the file line it starts on; a broken file is refused by line."""
    ended = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = str(error)
            if "field larger than field limit" in reason:
                reason = render("pair_import.cell_too_long", most=f"{csv.field_size_limit():,}")
            raise ImportFileError(
                render("pair_import.unreadable_line", line=ended + 1, reason=reason)
            ) from None
        start, ended = ended + 1, reader.line_num
        yield start, cells


def _check_row(number: int, values: dict[str, str], default_platform: str) -> PairRow:
    mentor, mentee = values.get("mentor", ""), values.get("mentee", "")
    empty = [name for name, value in (("mentor", mentor), ("mentee", mentee)) if not value]
    if empty:
        raise ValueError(render("pair_import.column_empty", columns=" and ".join(empty)))
    if mentor.casefold() == mentee.casefold():
        raise ValueError(render("pair_import.with_themselves", mentor=mentor))
    for value in (mentor, mentee):
        if "@" in value and not EMAIL.match(value):
            raise ValueError(render("pair_import.bad_email", value=value))
    platform = (values.get("platform") or default_platform).casefold()
    if platform not in PLATFORMS:
        raise ValueError(
            render(
                "pair_import.unknown_platform", platform=platform, platforms=", ".join(PLATFORMS)
            )
        )
    if platform == "discord":
        for value in (mentor, mentee):
            if not DISCORD_ID.match(value):
                raise ValueError(render("pair_import.not_a_discord_id", value=value))
    zone = values.get("timezone") or None
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(render("pair_import.unknown_zone", zone=zone)) from None
    start = None
    if values.get("start"):
        try:
            start = dt.date.fromisoformat(values["start"])
        except ValueError:
            raise ValueError(render("pair_import.bad_start", start=values["start"])) from None
    return PairRow(
        number,
        platform,
        mentor,
        mentee,
        values.get("mentor_name", ""),
        values.get("mentee_name", ""),
        values.get("cohort", ""),
        zone,
        start,
    )


def import_pairs(
    core: Core,
    session: Session,
    report: ImportReport,
    program_name: str | None,
    change: ProgramChange,
    skip_bad_rows: bool,
    progress: Callable[[list[PairRow]], list[PairRow]] = list,
    workspace: str = "",
) -> None:
    """Import the checked rows of ``report`` into the program named (created when new): all of
    them, or, with bad rows and without ``skip_bad_rows``, none (``NothingImported``). Slack
    rows belong to ``workspace`` (``--workspace``, for a bot installed into many), and so
    does the program."""
    today = core.clock().date()
    check_workspace(core.settings, report, workspace)
    program, created = find_or_create_program(
        session, program_name, change, today, core.settings.timezone, workspace
    )
    report.program = program.name
    if created:
        report.notes.append(created)
    check_starts(program, report, today)
    check_against_database(session, report, workspace)
    if report.errors and not skip_bad_rows:
        raise NothingImported  # rolls back the program too: all or nothing
    pairs = import_rows(session, program, progress(report.rows), today, workspace)
    report.imported = len(pairs)
    report.platforms = Counter(pair.platform for pair in pairs)
    core.audit(
        session,
        "cli",
        "pairs.import",
        "program",
        program.id,
        imported=report.imported,
        skipped=len(report.errors),
    )


def check_workspace(settings: Settings, report: ImportReport, workspace: str) -> None:
    """``--workspace`` is given exactly when the bot is installed into many Slack workspaces
    and the file has Slack rows, and looks like a team id."""
    on_slack = any(row.platform == "slack" for row in report.rows)
    try:
        checked_workspace(settings, workspace, needed=on_slack)
    except InputError as error:
        raise ImportFileError(str(error)) from None


def find_or_create_program(
    session: Session,
    name: str | None,
    change: ProgramChange,
    today: dt.date,
    timezone: str,
    workspace: str = "",
) -> tuple[Program, str | None]:
    """The program to import into: the one named (or the only one of ``workspace``), else a
    new one of ``workspace`` with the settings given (from today for a year by default).
    Settings for a program that exists are refused rather than ignored: `program edit`
    changes it; so is a program of another workspace."""
    if name is None:
        programs = session.scalars(select(Program).where(Program.workspace == workspace)).all()
        if len(programs) == 1 and not changed_fields(change):
            return programs[0], None
        if len(programs) > 1:
            names = ", ".join(p.name for p in programs)
            raise ImportFileError(render("pair_import.several_programs", programs=names))
        name = render("pair_import.default_program")
    program = session.scalar(select(Program).where(func.lower(Program.name) == name.casefold()))
    if program is not None:
        if program.workspace != workspace:
            raise ImportFileError(
                render(
                    "pair_import.other_workspace",
                    name=program.name,
                    belongs=_workspace_name(program.workspace),
                    given=_workspace_name(workspace),
                )
            )
        if changed_fields(change):
            raise ImportFileError(
                render("pair_import.program_exists", name=program.name, number=program.id)
            )
        return program, None
    program = create_program(session, name, change, today, timezone)
    program.workspace = workspace
    return program, render(
        "pair_import.created",
        name=program.name,
        start=program.start_date,
        end=program.end_date,
        rhythm=rhythm_text(program),
    )


def check_starts(program: Program, report: ImportReport, today: dt.date) -> None:
    """Refuse rows whose pair would start outside the program's dates: a start given before
    its first day or after its last, or none given (so today) once the program has ended."""
    kept = []
    name, first, last = program.name, program.start_date, program.end_date
    for row in report.rows:
        if row.start is not None and row.start < first:
            why = render(
                "pair_import.before_start", start=row.start, program=name, first=first, last=last
            )
        elif row.start is not None and row.start > last:
            why = render(
                "pair_import.after_end", start=row.start, program=name, first=first, last=last
            )
        elif row.start is None and today > last:
            why = render(
                "pair_import.after_ended", today=today, program=name, first=first, last=last
            )
        else:
            kept.append(row)
            continue
        report.errors.append((row.line, why))
    report.rows = kept


def summary_line(report: ImportReport) -> str:
    """What was imported, into which program and on which platform(s)."""
    count, program, skipped = report.imported, report.program, len(report.errors)
    counts = [(name, report.platforms[name]) for name in PLATFORMS if report.platforms[name]]
    if len(counts) == 1:
        on = PLATFORM_NAMES[counts[0][0]]
        if skipped:
            return render(
                "pair_import.imported_on_skipped",
                count=count,
                platform=on,
                program=program,
                skipped=skipped,
            )
        return render("pair_import.imported_on", count=count, platform=on, program=program)
    each = ", ".join(
        render("pair_import.count_on", count=n, platform=PLATFORM_NAMES[name]) for name, n in counts
    )
    if each and skipped:
        return render(
            "pair_import.imported_each_skipped",
            count=count,
            program=program,
            each=each,
            skipped=skipped,
        )
    if each:
        return render("pair_import.imported_each", count=count, program=program, each=each)
    if skipped:
        return render("pair_import.imported_skipped", count=count, program=program, skipped=skipped)
    return render("pair_import.imported", count=count, program=program)


def _workspace_name(workspace: str) -> str:
    if workspace:
        return render("pair_import.in_workspace", workspace=workspace)
    return render("pair_import.in_no_workspace")


def check_against_database(session: Session, report: ImportReport, workspace: str = "") -> None:
    """Refuse rows that would duplicate a pair that is already active."""
    kept = []
    for row in report.rows:
        where = _workspace_of(row, workspace)
        mentor = _find_person(session, row.platform, row.mentor, where)
        mentee = _find_person(session, row.platform, row.mentee, where)
        if (
            mentor
            and mentee
            and session.scalar(
                select(Pair.id).where(
                    Pair.mentor_id == mentor.id,
                    Pair.mentee_id == mentee.id,
                    Pair.status != PairStatus.ENDED,
                )
            )
        ):
            report.errors.append(
                (
                    row.line,
                    render("pair_import.already_a_pair", mentor=row.mentor, mentee=row.mentee),
                )
            )
            continue
        kept.append(row)
    report.rows = kept


def import_rows(
    session: Session, program: Program, rows: list[PairRow], today: dt.date, workspace: str = ""
) -> list[Pair]:
    cohorts = {
        c.name: c for c in session.scalars(select(Cohort).where(Cohort.program_id == program.id))
    }
    pairs = []
    for row in rows:
        cohort = None
        if row.cohort:
            cohort = cohorts.get(row.cohort)
            if cohort is None:
                cohort = cohorts[row.cohort] = Cohort(program_id=program.id, name=row.cohort)
                session.add(cohort)
        where = _workspace_of(row, workspace)
        mentor = _person(session, row.platform, where, row.mentor, row.mentor_name, row.timezone)
        mentee = _person(session, row.platform, where, row.mentee, row.mentee_name, row.timezone)
        pair = Pair(
            program_id=program.id,
            cohort=cohort,
            platform=row.platform,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            start_date=row.start or max(today, program.start_date),
        )
        session.add(pair)
        pairs.append(pair)
    session.flush()
    return pairs


def _workspace_of(row: PairRow, workspace: str) -> str:
    """Only Slack has workspaces here: ``--workspace`` is for its rows."""
    return workspace if row.platform == "slack" else ""


def _find_person(
    session: Session, platform: str, identity: str, workspace: str = ""
) -> Person | None:
    column = Person.email if "@" in identity else Person.platform_user_id
    return session.scalar(
        select(Person).where(
            Person.platform == platform, Person.workspace == workspace, or_(column == identity)
        )
    )


def _person(
    session: Session,
    platform: str,
    workspace: str,
    identity: str,
    name: str,
    timezone: str | None,
) -> Person:
    person = _find_person(session, platform, identity, workspace)
    if person is None:
        is_email = "@" in identity
        person = Person(
            platform=platform,
            workspace=workspace,
            platform_user_id=None if is_email else identity,
            email=identity if is_email else None,
            display_name=name or (identity.split("@")[0] if is_email else identity),
            timezone=timezone,
        )
        session.add(person)
        session.flush()
    elif timezone and not person.timezone:
        person.timezone = timezone
    return person
