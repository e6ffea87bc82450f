"""Exactly once, under abuse: real ``mentorbot nudge tick`` processes against a local fake of
the Slack Web API that fails a fifth of the calls, killed at random instants, two at once.

Every pair of a fresh program is owed its welcome. Waves of tick processes (sometimes two at
once) deliver it through ``SLACK_API_URL``, a proxy (``faults``) in front of ``FakeSlack`` that
answers calls 429 / 500 / 503 at random, some after the message was stored; members chat in
their group DM after the first message, so a re-send has to search past their messages; some
ticks are SIGKILLed mid-round. When a tick completes with nothing left to send (or the time
budget is spent) the soak checks each conversation: the welcome is there exactly once, its
row is ``sent`` and points at it (``verdict``).

``python -m bench.soak`` runs it at size on SQLite and PostgreSQL; ``tests/scheduler/
test_soak.py`` runs a short one in the test suite.
"""

from bench.soak.run import SoakConfig, SoakResult, run_soak

__all__ = ["SoakConfig", "SoakResult", "run_soak"]
