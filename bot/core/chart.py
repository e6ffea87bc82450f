"""The summary's chart of meetings per week: a bar a week, whole-number counts, dates below.

matplotlib is imported only when a chart is drawn, and the figure is made without pyplot, so
no global state is touched and charts can be drawn from any thread.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import TYPE_CHECKING

from bot.core.grammar import EARLIEST
from prompts.messages import render

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bot.core.summary import ParticipationSummary

WEEK = dt.timedelta(days=7)
BAR_DAYS = 6  # a bar covers its week's first six days, so neighbouring weeks stay apart
MID_BAR = dt.timedelta(days=BAR_DAYS // 2)
MOST_DATES = 12  # week starts labelled on the x axis, at most
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BAR_COLOUR = "#4a7ebb"


def meetings_chart_png(summary: ParticipationSummary) -> bytes:
    """The chart of meetings per week as a PNG."""
    buffer = io.BytesIO()
    meetings_figure(summary).savefig(buffer, format="png")
    return buffer.getvalue()


def meetings_figure(summary: ParticipationSummary) -> Figure:
    """Meetings per week as bars, every week of the period shown (empty weeks as gaps); with no
    meetings at all, a sentence saying so under the title."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    figure = Figure(figsize=(8, 3.5), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.set_title(chart_title(summary), parse_math=False)
    weeks = weekly_counts(summary)
    if not weeks:
        axes.set_axis_off()
        axes.text(
            0.5,
            0.5,
            render("chart.none_in_period") if summary.period else render("chart.none_yet"),
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=14,
            color="#555555",
        )
        return figure
    starts = [week for week, _ in weeks]
    axes.bar(starts, [count for _, count in weeks], width=BAR_DAYS, align="edge", color=BAR_COLOUR)
    axes.set_xlim(starts[0] - WEEK, starts[-1] + 2 * WEEK)  # a week's margin either side
    shown = starts[:: math.ceil(len(starts) / MOST_DATES)]
    axes.set_xticks([week + MID_BAR for week in starts], minor=True)  # a mark under every bar
    axes.set_xticks([week + MID_BAR for week in shown], date_labels(shown))
    axes.set_xlabel(render("chart.week_starting"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    axes.set_ylim(bottom=0)
    axes.set_ylabel(render("chart.meetings"))
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def chart_title(summary: ParticipationSummary) -> str:
    """What the chart covers: the cohort (or all of them) and the period (or the day it runs to)."""
    scope = (
        render("summary.scope_cohort", cohort=summary.cohort)
        if summary.cohort
        else render("summary.scope_all")
    )
    when = (
        summary.period.label
        if summary.period
        else render("summary.as_of", date=summary.as_of.isoformat())
    )
    return render("chart.title", scope=scope, when=when)


def weekly_counts(summary: ParticipationSummary) -> list[tuple[dt.date, int]]:
    """Every week (by its Monday) from the period's first to its last, or from the first meeting
    to ``as_of`` when there is no period, with its meetings (0 for a quiet week); empty when no
    meeting was logged at all. A period running from the earliest date starts at the first
    meeting, rather than decades of empty weeks before it."""
    counted = dict(summary.meetings_per_week)
    if not any(counted.values()):
        return []
    period = summary.period
    first = min(counted)
    if period and period.start > EARLIEST:
        first = min(first, _monday(period.start))
    last = max(max(counted), _monday(period.end if period else summary.as_of))
    weeks = []
    while first <= last:
        weeks.append((first, counted.get(first, 0)))
        first += WEEK
    return weeks


def date_labels(days: list[dt.date]) -> list[str]:
    """``6 Jan`` for each day, the year under the first one and wherever the year changes."""
    labels, year = [], None
    for day in days:
        label = f"{day.day} {MONTHS[day.month - 1]}"
        if day.year != year:
            label, year = f"{label}\n{day.year}", day.year
        labels.append(label)
    return labels


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
