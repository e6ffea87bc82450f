"""delivery leases and first attempts

A claim's lease moves from ``next_attempt_at`` (the tick's own time, which ``nudge tick --now``
sets) to ``lease_until`` (the wall clock), so leases mean the same whatever moment a tick is
run for; ``first_attempt_at`` is when the first real send began, where a re-send searches the
conversation from. Rows already tried take their creation as their first attempt.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:45:54
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE deliveries SET first_attempt_at = created_at WHERE attempts > 0")


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("first_attempt_at")
        batch_op.drop_column("lease_until")
