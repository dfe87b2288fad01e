"""Contact: messages and dissatisfaction with their status history and 24-hour clocks, the e-mail outbox,
and the rate-limit record

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 03:24:40.552075
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hit")),
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_hit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rate_limit_hit_key"), ["key"], unique=False)

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("team_id", sa.String(length=9), nullable=True),
        sa.Column("borough_code", sa.String(length=9), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("happened_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("contact_by", sa.String(length=10), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("personal_data_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("status_token_hash", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["staff_user.id"],
            name=op.f("fk_submission_assigned_to_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["borough_code"], ["borough.code"], name=op.f("fk_submission_borough_code_borough")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_submission_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_submission_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_submission_reference")),
        sa.UniqueConstraint("status_token_hash", name=op.f("uq_submission_status_token_hash")),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_borough_code"), ["borough_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_team_id"), ["team_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_outbox_message_submission_id_submission"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_message_id")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "submission_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("public_text", sa.Text(), nullable=True),
        sa.Column("staff_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["staff_user.id"],
            name=op.f("fk_submission_event_by_user_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_submission_event_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_event")),
    )
    with op.batch_alter_table("submission_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_event_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("submission_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_event_submission_id"))

    op.drop_table("submission_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_submission_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_sent_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_next_attempt_at"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_team_id"))
        batch_op.drop_index(batch_op.f("ix_submission_status"))
        batch_op.drop_index(batch_op.f("ix_submission_received_at"))
        batch_op.drop_index(batch_op.f("ix_submission_kind"))
        batch_op.drop_index(batch_op.f("ix_submission_due_at"))
        batch_op.drop_index(batch_op.f("ix_submission_borough_code"))

    op.drop_table("submission")
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_hit_key"))
        batch_op.drop_index(batch_op.f("ix_rate_limit_hit_at"))

    op.drop_table("rate_limit_hit")
