"""Crime: police.uk street-level rows, import records, ward monthly counts, ward population

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 00:51:31.666900
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crime_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("falls_within", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("no_location", sa.Integer(), nullable=False),
        sa.Column("out_of_area", sa.Integer(), nullable=False),
        sa.Column("other_force", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crime_import")),
        sa.UniqueConstraint("month", "falls_within", name="uq_crime_import_month_falls_within"),
    )
    op.create_table(
        "street_crime",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("crime_id", sa.String(length=64), nullable=True),
        sa.Column("reported_by", sa.String(length=80), nullable=False),
        sa.Column("falls_within", sa.String(length=80), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("lsoa_code", sa.String(length=9), nullable=True),
        sa.Column("lsoa_name", sa.String(length=100), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("crime_type", sa.String(length=80), nullable=False),
        sa.Column("outcome", sa.String(length=160), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("ward_code", sa.String(length=9), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_crime")),
    )
    with op.batch_alter_table("street_crime", schema=None) as batch_op:
        batch_op.create_index("ix_street_crime_month_category", ["month", "category"], unique=False)
        batch_op.create_index("ix_street_crime_ward_month", ["ward_code", "month"], unique=False)

    op.create_table(
        "ward_crime_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=9), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("major", sa.String(length=80), nullable=False),
        sa.Column("minor", sa.String(length=120), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ward_crime_count")),
        sa.UniqueConstraint("ward_code", "month", "major", "minor", name="uq_ward_crime_count_key"),
    )
    with op.batch_alter_table("ward_crime_count", schema=None) as batch_op:
        batch_op.create_index("ix_ward_crime_count_month_major", ["month", "major"], unique=False)
        batch_op.create_index(batch_op.f("ix_ward_crime_count_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "ward_population",
        sa.Column("ward_code", sa.String(length=9), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ward_code", name=op.f("pk_ward_population")),
    )


def downgrade() -> None:
    op.drop_table("ward_population")
    with op.batch_alter_table("ward_crime_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ward_crime_count_ward_code"))
        batch_op.drop_index("ix_ward_crime_count_month_major")

    op.drop_table("ward_crime_count")
    with op.batch_alter_table("street_crime", schema=None) as batch_op:
        batch_op.drop_index("ix_street_crime_ward_month")
        batch_op.drop_index("ix_street_crime_month_category")

    op.drop_table("street_crime")
    op.drop_table("crime_import")
