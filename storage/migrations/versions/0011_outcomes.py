"""outcomes: meeting ratings, reflections, competency self-assessments

A meeting may say how useful it was (1–5); each member's answer to the midpoint and closing
reflection is a row, and so is each self-rating on a competency area at kickoff and closing. A
reminder delivery names the reflection it is about (``deliveries.reminds_id``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating", sa.Integer(), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminds_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_deliveries_reminds_id_deliveries",
            "deliveries",
            ["reminds_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("worked", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("goals_reached", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", "person_id"),
    )
    op.create_index("ix_reflections_pair_id", "reflections", ["pair_id"])
    op.create_table(
        "competency_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", "person_id", "phase", "area"),
    )
    op.create_index("ix_competency_ratings_pair_id", "competency_ratings", ["pair_id"])


def downgrade() -> None:
    op.drop_index("ix_competency_ratings_pair_id", table_name="competency_ratings")
    op.drop_table("competency_ratings")
    op.drop_index("ix_reflections_pair_id", table_name="reflections")
    op.drop_table("reflections")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_deliveries_reminds_id_deliveries", type_="foreignkey")
        batch_op.drop_column("reminds_id")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("rating")
