"""The meetings-per-week chart: whole-number counts, dates below, the period in the title."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.chart import date_labels, meetings_chart_png, meetings_figure
from bot.core.summary import compute_summary
from storage.db import session_scope
from storage.summary import Period
from tests.support.bot import PairSpec, actor, add_pair

ADA, DEV = actor("ada"), actor("dev")
Q4 = Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))  # the clock stands at 2026-11-10


def summarise(core, **options):
    with session_scope(core.sessions) as session:
        return compute_summary(session, core.clock(), **options)


def drawn(summary):
    """The chart's axes, laid out so that their tick labels are filled in."""
    figure = meetings_figure(summary)
    figure.draw_without_rendering()
    return figure.axes[0]


def days_of(rectangle):
    """A bar's left edge as a date and its width in days."""
    from matplotlib.dates import num2date

    return num2date(rectangle.get_x()).date(), rectangle.get_width()


@pytest.fixture
def two_pairs(core, program_id):
    add_pair(core, program_id, PairSpec("ada", "ben", cohort="Fall"))
    add_pair(core, program_id, PairSpec("dev", "eve", cohort="Spring"))


def test_counts_are_whole_numbers_from_zero(core, two_pairs):
    """One meeting in a week gives ticks 0 and 1, never 0.5 or 1.5, and the axis starts at 0."""
    core.command(ADA, "log-meeting", "2026-11-02 1h a")
    axes = drawn(summarise(core))
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels and all(label.isdigit() for label in labels)
    assert axes.get_ylim()[0] == 0


def test_the_axis_reads_as_dates_of_week_starts(core, two_pairs):
    """The x axis is labelled with the Mondays the weeks start on, the year under the first."""
    core.command(ADA, "log-meeting", "2026-10-21 1h a")
    core.command(DEV, "log-meeting", "2026-11-04 1h b")
    axes = drawn(summarise(core))
    labels = [label.get_text() for label in axes.get_xticklabels()]
    assert labels == ["19 Oct\n2026", "26 Oct", "2 Nov", "9 Nov"]  # up to the summary's day


def test_a_single_week_is_a_narrow_bar_between_margins(core, two_pairs):
    """One week of meetings is one bar at most a week wide, with a week of margin either side."""
    core.command(ADA, "log-meeting", "2026-11-10 1h a")
    core.command(DEV, "log-meeting", "2026-11-09 1h b")
    axes = drawn(summarise(core))
    [bar] = axes.patches
    start, width = days_of(bar)
    assert (start, bar.get_height()) == (dt.date(2026, 11, 9), 2)
    assert width <= 7
    left, right = axes.get_xlim()
    assert right - left >= 3 * width


def test_a_period_shows_every_week_quiet_ones_empty(core, two_pairs):
    """A quarter's chart has a bar place for each of its weeks; weeks without meetings are 0."""
    core.command(ADA, "log-meeting", "2026-10-05 1h a")
    core.command(ADA, "log-meeting", "2026-11-02 1h b")
    axes = drawn(summarise(core, period=Q4))
    bars = {start: bar.get_height() for start, bar in ((days_of(b)[0], b) for b in axes.patches)}
    assert min(bars) == dt.date(2026, 9, 28) and max(bars) == dt.date(2026, 12, 28)
    assert len(bars) == 14 and all(width <= 7 for _, width in map(days_of, axes.patches))
    assert {day: n for day, n in bars.items() if n} == {
        dt.date(2026, 10, 5): 1,
        dt.date(2026, 11, 2): 1,
    }


def test_an_open_start_begins_at_the_first_meeting(core, two_pairs):
    """``--to`` alone (a period from the earliest date) charts from the first meeting, not 2000."""
    core.command(ADA, "log-meeting", "2026-10-05 1h a")
    axes = drawn(summarise(core, period=Period(dt.date(2000, 1, 1), dt.date(2026, 10, 20))))
    assert [days_of(bar)[0] for bar in axes.patches] == [
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 19),
    ]


@pytest.mark.parametrize(
    ("options", "title"),
    [
        ({}, "Meetings per week — all cohorts, as of 2026-11-10"),
        ({"cohort": "Fall"}, "Meetings per week — cohort Fall, as of 2026-11-10"),
        ({"period": Q4}, "Meetings per week — all cohorts, 2026-10-01 to 2026-12-31"),
    ],
)
def test_the_title_names_scope_and_period(core, two_pairs, options, title):
    """The title says which cohort and which period (or day) the chart covers."""
    core.command(ADA, "log-meeting", "2026-11-02 1h a")
    axes = drawn(summarise(core, **options))
    assert axes.get_title() == title


def test_a_cohort_name_is_shown_as_typed(core, program_id):
    """A cohort named with dollar signs is text in the title, not mathematics."""
    add_pair(core, program_id, PairSpec("ada", "ben", cohort="$5 $club"))
    core.command(ADA, "log-meeting", "2026-11-02 1h a")
    axes = drawn(summarise(core, cohort="$5 $club"))
    assert axes.get_title().endswith("cohort $5 $club, as of 2026-11-10")
    assert meetings_chart_png(summarise(core, cohort="$5 $club")).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("options", "sentence"),
    [({"period": Q4}, "No meetings in this period"), ({}, "No meetings logged yet")],
)
def test_no_meetings_is_a_sentence_not_an_empty_axis(core, two_pairs, options, sentence):
    """With no meeting at all, the chart says so under its title, with no axis drawn."""
    axes = drawn(summarise(core, **options))
    assert [text.get_text() for text in axes.texts] == [sentence]
    assert not axes.axison and not axes.patches
    assert axes.get_title().startswith("Meetings per week — all cohorts")


def test_the_png_is_a_png(core, two_pairs):
    """Both the chart and the empty chart are PNG images."""
    assert meetings_chart_png(summarise(core)).startswith(b"\x89PNG\r\n\x1a\n")
    core.command(ADA, "log-meeting", "2026-11-02 1h a")
    assert meetings_chart_png(summarise(core)).startswith(b"\x89PNG\r\n\x1a\n")


def test_date_labels_name_the_year_where_it_changes():
    """Each label is day and month; the year is added to the first and at each new year."""
    days = [dt.date(2026, 12, 21), dt.date(2026, 12, 28), dt.date(2027, 1, 4)]
    assert date_labels(days) == ["21 Dec\n2026", "28 Dec", "4 Jan\n2027"]


def test_many_weeks_keep_bars_a_week_wide_and_dates_few(core, two_pairs, clock):
    """A year of weekly meetings: 53 bars each under a week wide, at most 12 dates labelled."""
    clock.now = dt.datetime(2027, 11, 10, 15, 0, tzinfo=dt.UTC)
    day = dt.date(2026, 11, 10)
    while day <= dt.date(2027, 11, 10):
        core.command(ADA, "log-meeting", f"{day.isoformat()} 1h a")
        day += dt.timedelta(days=7)
    axes = drawn(summarise(core))
    assert len(axes.patches) == 53 and all(w <= 7 for _, w in map(days_of, axes.patches))
    assert 1 < len(axes.get_xticklabels()) <= 12
