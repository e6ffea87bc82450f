"""posted messages, handled requests, command counts

The bot's own posts that name a member or quote what they wrote are recorded, so forgetting the
member deletes them from the platform too; Slack requests already handled are recorded so a
replay is not applied twice; commands are counted per member and minute for the rate limit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:19:31
"""

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "command_counts",
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("actor", "minute", name=op.f("pk_command_counts")),
    )
    op.create_table(
        "handled_requests",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_handled_requests")),
    )
    with op.batch_alter_table("handled_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handled_requests_at"), ["at"], unique=False)

    op.create_table(
        "posted_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("refs", sa.String(length=400), nullable=False),
        sa.Column("writer_id", sa.Integer(), nullable=True),
        sa.Column("quoted_id", sa.Integer(), nullable=True),
        sa.Column("retract", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["quoted_id"],
            ["people.id"],
            name=op.f("fk_posted_messages_quoted_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["writer_id"],
            ["people.id"],
            name=op.f("fk_posted_messages_writer_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_messages")),
    )
    with op.batch_alter_table("posted_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_posted_messages_quoted_id"), ["quoted_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_posted_messages_retract"), ["retract"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_posted_messages_writer_id"), ["writer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("posted_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posted_messages_writer_id"))
        batch_op.drop_index(batch_op.f("ix_posted_messages_retract"))
        batch_op.drop_index(batch_op.f("ix_posted_messages_quoted_id"))

    op.drop_table("posted_messages")
    with op.batch_alter_table("handled_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handled_requests_at"))

    op.drop_table("handled_requests")
    op.drop_table("command_counts")
