"""Every table as JSON-ready rows, for coordinators' ``mentorbot export``.

Meeting notes and next steps are confidential to the pair: they are exported only where the
member who wrote them shared them. Drafts (refused input) and the bookkeeping tables are never
exported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from storage.models import (
    AuditEvent,
    Cohort,
    Coordinator,
    Delivery,
    Goal,
    Meeting,
    Pair,
    Person,
    Program,
    Response,
)

TABLES = (Program, Cohort, Person, Coordinator, Pair, Goal, Meeting, Delivery, Response, AuditEvent)


def _row(instance: object) -> dict[str, Any]:
    mapper = inspect(type(instance))
    return {column.key: getattr(instance, column.key) for column in mapper.column_attrs}


def export_all(session: Session) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {}
    for model in TABLES:
        rows = [_row(item) for item in session.scalars(select(model))]
        if model is Meeting:
            for row in rows:
                if not row["notes_shared"]:
                    row["notes"] = row["next_steps"] = None
        data[model.__tablename__] = rows
    return data
