"""The CLI's steps for `mentorbot summary --format json`, timed one by one in a fresh
interpreter: where the wall time goes. Imports nothing heavy before it starts the clock.

    python -m bench.summary.phases DATABASE_URL    # prints the seconds per step as JSON
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def phases(url: str) -> dict[str, float]:
    """Seconds per step: imports, schema check, queries, JSON building, encoding, writing."""
    spent: dict[str, float] = {}
    started = time.perf_counter()
    import bot.cli  # noqa: F401  (what the mentorbot script imports first)
    from bot.core.summary import compute_summary, summary_json
    from storage.db import open_database, run_in_transaction

    spent["imports"] = time.perf_counter() - started

    def query(sessions: Any) -> Any:
        now = dt.datetime.now(dt.UTC)
        return run_in_transaction(sessions, lambda session: compute_summary(session, now))

    steps: list[tuple[str, Callable[[Any], Any]]] = [
        ("schema check", lambda _: open_database(url)[1]),
        ("queries", query),
        ("summary_json", summary_json),
        ("json.dumps", lambda data: json.dumps(data)),
        ("write", lambda text: Path(os.devnull).write_text(text + "\n")),
    ]
    value: Any = None
    for name, step in steps:
        started = time.perf_counter()
        value = step(value)
        spent[name] = time.perf_counter() - started
    return spent


if __name__ == "__main__":
    print(json.dumps(phases(sys.argv[1])))
