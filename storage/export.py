"""Every table as JSON-ready rows, for coordinators' ``mentorbot export``.

Meeting notes and next steps are confidential to the pair: they are exported only where the
member who wrote them shared them; so are a reflection's written answers (which go to the
coordinators), unless their writer let them be quoted. Drafts (refused input) and the
bookkeeping tables are never exported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from storage.models import (
    AuditEvent,
    Cohort,
    CompetencyRating,
    Coordinator,
    Delivery,
    Goal,
    Meeting,
    Pair,
    Person,
    Program,
    Reflection,
    Response,
)

TABLES = (
    Program,
    Cohort,
    Person,
    Coordinator,
    Pair,
    Goal,
    Meeting,
    Delivery,
    Response,
    Reflection,
    CompetencyRating,
    AuditEvent,
)


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
        if model is Reflection:
            for row in rows:
                if not row["shared"]:
                    row["worked"] = row["change"] = None
        data[model.__tablename__] = rows
    return data
