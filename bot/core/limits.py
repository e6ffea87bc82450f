"""Every limit a member or coordinator meets, in one place: the text, form and Discord paths,
the help and the refusals all read them from here."""

from __future__ import annotations

GOAL_TEXT = 500
NOTES = 2000
NEXT_STEPS = 1000
MAX_MEETING_MINUTES = 12 * 60  # one meeting, and all of one day's meetings of a pair
DEFAULT_PAUSE_WEEKS = 4
MAX_PAUSE_WEEKS = 26
MAX_NUMBER = 100_000  # goal and meeting numbers
ECHO = 300  # characters of what was typed that a refusal gives back
RATING_SCALE = (1, 5)  # how useful a meeting was; how the mentoring goes, in a reflection
REFLECTION_TEXT = 1000  # each free-text answer of a reflection
MAX_OPEN_GOALS = 50  # a pair's open goals; done and dropped ones do not count
