"""Platform requests already acted on, so the same signed request sent again has no effect.

A signature proves a request came from the platform, not that it comes once: within Slack's
five minutes a copy of a signed command, click or form submission is accepted by the signature
check as readily as the first. Each request has a platform id of its own (Slack's
``trigger_id``); the first time one is seen it is stored, and a second time it is refused. The
check is one insert under the table's primary key, so two processes handed the same request at
once apply it once. Rows outlive the platform's window many times over, then are pruned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import run_in_transaction
from storage.models import HandledRequest

KEEP = dt.timedelta(days=1)
PRUNE_ONE_IN = 100  # requests (chosen by their key) that also prune the old rows
KEY_LENGTH = 120  # characters in ``HandledRequest.key``; a longer key is stored as its hash


def first_time(sessions: sessionmaker[Session], key: str, now: dt.datetime) -> bool:
    """True the first time ``key`` is handed in, False for every later time."""
    stored = key if len(key) <= KEY_LENGTH else hashlib.sha256(key.encode()).hexdigest()

    def record(session: Session) -> None:
        if zlib.crc32(stored.encode()) % PRUNE_ONE_IN == 0:
            prune(session, now)
        session.add(HandledRequest(key=stored, at=now))
        session.flush()

    try:
        run_in_transaction(sessions, record)
    except IntegrityError:
        return False
    return True


def prune(session: Session, now: dt.datetime) -> int:
    """Delete the rows older than ``KEEP``; how many went."""
    return session.execute(delete(HandledRequest).where(HandledRequest.at < now - KEEP)).rowcount
