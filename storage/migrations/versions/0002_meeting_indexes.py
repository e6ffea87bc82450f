"""meeting indexes for the summary

The summary reads every meeting's pair, date and duration, counts meetings per day, and finds
who logged meetings lately; these two indexes let SQLite and PostgreSQL answer from the index
alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:00:00
"""

from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_pair_met_on")
        batch_op.create_index(
            "ix_meetings_pair_met_on_minutes", ["pair_id", "met_on", "duration_minutes"]
        )
        batch_op.create_index(
            "ix_meetings_met_on_pair_person", ["met_on", "pair_id", "logged_by_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_met_on_pair_person")
        batch_op.drop_index("ix_meetings_pair_met_on_minutes")
        batch_op.create_index("ix_meetings_pair_met_on", ["pair_id", "met_on"])
