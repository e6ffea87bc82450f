"""announcements

A coordinator's announcement to every active pair of a program or cohort; each pair's copy is
a delivery (``deliveries.announcement_id``), so it goes exactly once like a round.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_id"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_announcements_created_at", "announcements", ["created_at"])
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announcement_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_deliveries_announcement_id_announcements",
            "announcements",
            ["announcement_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_deliveries_announcement_id_announcements", type_="foreignkey")
        batch_op.drop_column("announcement_id")
    op.drop_index("ix_announcements_created_at", table_name="announcements")
    op.drop_table("announcements")
