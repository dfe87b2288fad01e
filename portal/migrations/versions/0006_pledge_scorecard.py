"""Pledge scorecard: the ten points, indicators, published measures, explanations, survey neighbourhoods,
and the review history of priorities

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 02:30:39.461641
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pledge_point",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("promise", sa.Text(), nullable=False),
        sa.Column("portal_does", sa.Text(), nullable=False),
        sa.Column("inspection_grade", sa.String(length=10), nullable=True),
        sa.Column("inspection_source", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_pledge_point")),
    )
    op.create_table(
        "indicator",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("pledge_point", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("target_source", sa.String(length=300), nullable=True),
        sa.Column("tolerance", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("levels", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("calculation", sa.Text(), nullable=False),
        sa.Column("met_promise", sa.String(length=300), nullable=True),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_point"], ["pledge_point.number"], name=op.f("fk_indicator_pledge_point_pledge_point")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_indicator")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_pledge_point"), ["pledge_point"], unique=False)

    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=15), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=60), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicator.code"],
            name=op.f("fk_measure_indicator_code_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("indicator_code", "area_code", "month", name=op.f("uq_measure_indicator_code")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_area_code"), ["area_code"], unique=False)

    op.create_table(
        "pledge_explanation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=40), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicator.code"],
            name=op.f("fk_pledge_explanation_indicator_code_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_explanation")),
        sa.UniqueConstraint(
            "indicator_code", "area_code", "month", name=op.f("uq_pledge_explanation_indicator_code")
        ),
    )
    with op.batch_alter_table("pledge_explanation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_explanation_area_code"), ["area_code"], unique=False)

    op.create_table(
        "survey_neighbourhood",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("borough_code", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"], ["borough.code"], name=op.f("fk_survey_neighbourhood_borough_code_borough")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_survey_neighbourhood")),
    )
    with op.batch_alter_table("survey_neighbourhood", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_neighbourhood_borough_code"), ["borough_code"], unique=False
        )

    op.create_table(
        "priority_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priority.id"],
            name=op.f("fk_priority_review_priority_id_priority"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_review")),
    )
    with op.batch_alter_table("priority_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_priority_review_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_priority_review_priority_id"), ["priority_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("priority_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priority_review_priority_id"))
        batch_op.drop_index(batch_op.f("ix_priority_review_due_on"))

    op.drop_table("priority_review")
    with op.batch_alter_table("survey_neighbourhood", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_neighbourhood_borough_code"))

    op.drop_table("survey_neighbourhood")
    with op.batch_alter_table("pledge_explanation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_explanation_area_code"))

    op.drop_table("pledge_explanation")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_area_code"))

    op.drop_table("measure")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_pledge_point"))

    op.drop_table("indicator")
    op.drop_table("pledge_point")
