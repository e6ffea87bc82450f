"""The console on an imported program (no demo): every coordinator, from MENTORBOT_COORDINATORS
or the database, is listed by `/who` and can be chosen with `/as`, in a pair or not."""

from __future__ import annotations

import pytest

from bot.core.coordinators import add_coordinator
from tests.console.script import scripted_chat
from tests.support.bot import PairSpec, add_pair, add_program, make_core

COORDINATORS = "casey, console:rio, slack:U0SLACK"  # a bare id counts on every platform


@pytest.fixture
def imported(db_url, clock):
    """A program with one console pair (Ada mentors Ben), as an import leaves it; Robin (with a
    name) and sam (without) are coordinators kept in the database, and a Discord one too."""
    core = make_core(db_url, clock, MENTORBOT_COORDINATORS=COORDINATORS)
    add_pair(core, add_program(core), PairSpec("ada", "ben"))

    def store(session):
        add_coordinator(core, session, "console", "robin", "Robin Reyes")
        add_coordinator(core, session, "console", "sam")
        add_coordinator(core, session, "discord", "123456789012345678", "Dee")

    core.transaction(store)
    return core


@pytest.fixture
def chat(imported):
    """``chat(*lines)``: the console chat with those lines typed; everything it printed."""

    def run(*lines: str) -> str:
        return scripted_chat(imported, *lines)

    return run


def test_who_lists_every_coordinator_of_the_console_even_in_no_pair(chat):
    """Members first, then coordinators from the setting and the database, each once and
    marked; those of other platforms are not listed."""
    out = chat("/who", "/quit")
    assert "demo" not in out
    assert "• Ada (ada): mentor of Ben" in out
    assert "• Ben (ben): mentee of Ada" in out
    for line in (
        "• casey (casey): coordinator",
        "• rio (rio): coordinator",
        "• Robin Reyes (robin): coordinator",
        "• sam (sam): coordinator",
    ):
        assert out.count(line) == 1, line
    assert "U0SLACK" not in out and "123456789012345678" not in out and "Dee" not in out


def test_as_chooses_a_coordinator_by_name_or_id_who_then_coordinates(chat):
    """`/as` takes a coordinator's name or id; the coordinator gets the summary, and once met
    is listed once, still as a coordinator."""
    out = chat(
        "/as Robin Reyes",
        "/mentoring-summary",
        "/as rio",
        "/mentoring-summary",
        "/who",
        "/quit",
    )
    assert "You are now Robin Reyes (coordinator)." in out
    assert "You are now rio (coordinator)." in out
    assert out.count("Active pairs: 1") == 2
    assert "for program coordinators" not in out
    who = out[out.rindex("People") :]
    assert who.count("(rio)") == 1 and "• rio (rio): coordinator ← you" in who
    assert who.count("(robin)") == 1 and "• Robin Reyes (robin): coordinator" in who


def test_as_still_refuses_someone_unknown(chat):
    out = chat("/as U0SLACK", "/as nobody", "/quit")
    assert "No one here is called “U0SLACK”" in out
    assert "No one here is called “nobody”" in out
