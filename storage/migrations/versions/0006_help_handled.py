"""help requests marked handled

A click on **We need help** (a ``responses`` row with the action ``help``) can be marked
handled by a coordinator: ``handled_at`` is when, ``handled_by_id`` the coordinator's person
row when it was done in chat (empty when done with ``mentorbot pairs handled``). Requests
made before this revision stay unhandled.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_responses_handled_by_id_people"),
            "people",
            ["handled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_responses_handled_by_id_people"), type_="foreignkey"
        )
        batch_op.drop_column("handled_by_id")
        batch_op.drop_column("handled_at")
