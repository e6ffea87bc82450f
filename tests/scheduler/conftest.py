"""A ticker over the test core, delivering into a recording sink."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import build_ticker
from tests.support.sink import RecordingOutbound


@pytest.fixture
def sink() -> RecordingOutbound:
    return RecordingOutbound()


@pytest.fixture
def ticker(core, sink):
    return build_ticker(core, {"console": sink})


def at(day: str, hour: int = 15, minute: int = 0) -> dt.datetime:
    """A UTC moment on ``day`` (10:00 New York is 15:00 UTC in winter, 14:00 in summer)."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=dt.UTC)
