"""``/mentoring-summary`` and the summary's renderings: text, table, CSV, JSON and a chart."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shlex
from dataclasses import dataclass
from typing import Any

from bot.core.context import Request
from bot.core.errors import InputError, PermissionDenied
from bot.core.replies import Attachment, Message, Reply, Table
from prompts.messages import render
from storage.summary import ParticipationSummary, Period, compute_summary

QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
CSV_COLUMNS = (
    "pair_id",
    "program",
    "cohort",
    "mentor",
    "mentee",
    "status",
    "started",
    "meetings",
    "hours",
    "last_meeting",
    "goals_set",
    "goals_done",
    "suggestions_sent",
    "suggestions_answered",
    "attention",
)
ATTENTION_SHOWN = 15


@dataclass(frozen=True)
class SummaryQuery:
    cohort: str | None = None
    period: Period | None = None


def parse_period(text: str) -> Period:
    """``2027Q1`` (or ``2027-Q1``) as the dates of that quarter."""
    match = QUARTER.match(text.strip())
    if not match:
        raise InputError(f"“{text}” is not a quarter; type it like 2027Q1.")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(start, end)


def period_between(start: str | None, end: str | None) -> Period:
    """``--from`` and ``--to`` as a period; either may be left out but not both."""
    try:
        first = dt.date.fromisoformat(start) if start else dt.date(1970, 1, 1)
        last = dt.date.fromisoformat(end) if end else dt.date(9999, 12, 31)
    except ValueError:
        raise InputError(
            f"“{start if start else end}” is not a date; type dates like 2027-01-31."
        ) from None
    if last < first:
        raise InputError(f"--to ({last}) is before --from ({first}); swap them.")
    return Period(first, last)


def parse_summary_args(text: str) -> SummaryQuery:
    """``[COHORT] [--period 2027Q1 | --from DATE --to DATE]``."""
    try:
        words = shlex.split(text)
    except ValueError:
        raise InputError(
            'Unbalanced quotes; type e.g. `/mentoring-summary "Spring 2027"`.'
        ) from None
    cohort: str | None = None
    options = {"--period": "quarter", "--from": "start", "--to": "end"}
    values: dict[str, str] = {}
    index = 0
    while index < len(words):
        word = words[index]
        name, eq, inline = word.partition("=")
        if name in options:
            value = inline if eq else (words[index + 1] if index + 1 < len(words) else "")
            if not value:
                raise InputError(
                    f"{name} needs a value, e.g. `{name} "
                    f"{'2027Q1' if name == '--period' else '2027-01-31'}`."
                )
            values[options[name]] = value
            index += 1 if eq else 2
        elif word.startswith("--"):
            raise InputError(f"Unknown option {word}; use --period 2027Q1 or --from/--to DATES.")
        elif cohort is None:
            cohort = word
            index += 1
        else:
            raise InputError(
                f"Give one cohort at most (got “{cohort}” and “{word}”); quote a name with spaces."
            )
    quarter, start, end = values.get("quarter"), values.get("start"), values.get("end")
    if quarter and (start or end):
        raise InputError("Use either --period or --from/--to, not both.")
    period = (
        parse_period(quarter)
        if quarter
        else (period_between(start, end) if (start or end) else None)
    )
    return SummaryQuery(cohort, period)


def handle_summary(request: Request, text: str) -> Reply:
    if not request.is_coordinator:
        raise PermissionDenied(
            "Sorry, the participation summary is for program coordinators. "
            "For your own pair, try `/mentoring status`."
        )
    if text.strip().casefold() in ("help", "-h", "--help", "?"):
        return Reply.text(render("summary_help"))
    query = parse_summary_args(text)
    summary = compute_summary(
        request.session, request.now, cohort=query.cohort, period=query.period
    )
    if not summary.pairs and query.cohort:
        raise InputError(
            f"No pairs in cohort “{query.cohort}”; check the name "
            "(`/mentoring-summary` on its own shows every cohort)."
        )
    attachments = [
        Attachment(
            "mentoring-summary.csv", summary_csv(summary), "Per-pair participation", "text/csv"
        )
    ]
    if summary.meetings_per_week:
        attachments.append(
            Attachment(
                "meetings-per-week.png",
                meetings_chart_png(summary),
                "Meetings per week",
                "image/png",
            )
        )
    message = summary_message(summary)
    return Reply(message=Message(message.text, table=message.table, attachments=tuple(attachments)))


def summary_message(summary: ParticipationSummary) -> Message:
    """The totals and the pairs needing attention, as coordinators read them."""
    t = summary.totals
    scope = f"cohort {summary.cohort}" if summary.cohort else "all cohorts"
    when = summary.period.label if summary.period else f"as of {summary.as_of.isoformat()}"
    share = f"{t.answered_share:.0%}" if t.answered_share is not None else "n/a"
    lines = [
        f"**Mentoring summary**: {scope}, {when}",
        f"Active pairs: {t.active_pairs} (paused: {t.paused_pairs})",
        f"Pairs that met in the last 30 days: {t.met_last_30}; "
        f"in the last 60 days: {t.met_last_60}",
        f"Meetings: {t.meetings}, {t.hours} hours",
        f"Goals set: {t.goals_set}, done: {t.goals_done}",
        f"Suggestions answered: {share} ({t.suggestions_answered} of {t.suggestions_sent})",
    ]
    attention = summary.needing_attention
    if not attention:
        lines.append("No pair needs attention. 🎉")
        return Message("\n".join(lines))
    lines.append(f"**Needing attention** ({len(attention)})")
    rows = tuple(
        (str(row.pair_id), f"{row.mentor} & {row.mentee}", row.cohort, "; ".join(row.attention))
        for row in attention[:ATTENTION_SHOWN]
    )
    if len(attention) > ATTENTION_SHOWN:
        lines.append(f"_The first {ATTENTION_SHOWN} are shown; the CSV has all._")
    return Message("\n".join(lines), table=Table(("pair", "members", "cohort", "why"), rows))


def _row_values(row: Any) -> list[object]:
    return [
        row.pair_id,
        row.program,
        row.cohort,
        row.mentor,
        row.mentee,
        row.status,
        row.started.isoformat(),
        row.meetings,
        row.hours,
        row.last_meeting.isoformat() if row.last_meeting else "",
        row.goals_set,
        row.goals_done,
        row.suggestions_sent,
        row.suggestions_answered,
        "; ".join(row.attention),
    ]


def summary_csv(summary: ParticipationSummary) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_row_values(row) for row in summary.pairs)
    return buffer.getvalue().encode("utf-8")


def summary_json(summary: ParticipationSummary) -> dict[str, Any]:
    t = summary.totals
    return {
        "as_of": summary.as_of.isoformat(),
        "cohort": summary.cohort,
        "period": (
            {"from": summary.period.start.isoformat(), "to": summary.period.end.isoformat()}
            if summary.period
            else None
        ),
        "totals": {
            "active_pairs": t.active_pairs,
            "paused_pairs": t.paused_pairs,
            "met_last_30_days": t.met_last_30,
            "met_last_60_days": t.met_last_60,
            "meetings": t.meetings,
            "hours": t.hours,
            "goals_set": t.goals_set,
            "goals_done": t.goals_done,
            "suggestions_sent": t.suggestions_sent,
            "suggestions_answered": t.suggestions_answered,
            "answered_share": round(t.answered_share, 3) if t.answered_share is not None else None,
        },
        "needing_attention": [
            {
                "pair_id": row.pair_id,
                "mentor": row.mentor,
                "mentee": row.mentee,
                "reasons": row.attention,
            }
            for row in summary.needing_attention
        ],
        "pairs": [dict(zip(CSV_COLUMNS, _row_values(row), strict=True)) for row in summary.pairs],
        "meetings_per_week": [
            {"week": week.isoformat(), "meetings": count}
            for week, count in summary.meetings_per_week
        ],
    }


def meetings_chart_png(summary: ParticipationSummary) -> bytes:
    """A bar chart of meetings per week; matplotlib is imported only when a chart is drawn."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    weeks = [week for week, _ in summary.meetings_per_week]
    counts = [count for _, count in summary.meetings_per_week]
    figure, axes = pyplot.subplots(figsize=(8, 3.5), dpi=100)
    try:
        axes.bar(weeks, counts, width=5, color="#4a7ebb")
        axes.set_title("Meetings per week")
        axes.set_ylabel("meetings")
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)
