"""program rhythms and pairs channels

Coordinators set a program's rhythm; ``program_rhythms`` keeps each rhythm a program had until
a change, so messages due before it keep their rounds. ``programs.pairs_channel_id`` is the
Discord channel of the program's pair threads (else ``DISCORD_PAIRS_CHANNEL_ID``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_rhythms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval_weeks", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_program_rhythms_program_id", "program_rhythms", ["program_id"])
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pairs_channel_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("pairs_channel_id")
    op.drop_index("ix_program_rhythms_program_id", table_name="program_rhythms")
    op.drop_table("program_rhythms")
