"""per-pair numbering counters and drafts of refused input

Goal and meeting numbers were "highest + 1", which two members adding at the same instant could
both take; each pair now keeps the last number it gave out, raised atomically. Drafts keep what
a member typed into a refused command or form, so a button can open the form filled in with it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("goals_numbered", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("meetings_numbered", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE pairs SET goals_numbered = COALESCE("
        "(SELECT MAX(number) FROM goals WHERE goals.pair_id = pairs.id), 0), "
        "meetings_numbered = COALESCE("
        "(SELECT MAX(number) FROM meetings WHERE meetings.pair_id = pairs.id), 0)"
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=40), nullable=False),
        sa.Column("context", sa.String(length=80), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_drafts_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("token", name=op.f("uq_drafts_token")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_person_id"))
    op.drop_table("drafts")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_column("meetings_numbered")
        batch_op.drop_column("goals_numbered")
