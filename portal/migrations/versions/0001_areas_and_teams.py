"""Areas and teams: forces, boroughs, wards by boundary generation, postcodes, teams, data loads.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FORCES = [
    {"id": "metropolitan", "name": "Metropolitan Police Service", "url": "https://www.met.police.uk/"},
    {"id": "city-of-london", "name": "City of London Police", "url": "https://www.cityoflondon.police.uk/"},
]


def upgrade() -> None:
    op.create_table(
        "data_load",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_load")),
    )
    op.create_index(op.f("ix_data_load_dataset"), "data_load", ["dataset"])

    force = op.create_table(
        "force",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_force")),
    )
    op.bulk_insert(force, FORCES)

    op.create_table(
        "postcode",
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column("outcode", sa.String(length=4), nullable=False),
        sa.Column("pqi", sa.Integer(), nullable=False),
        sa.Column("easting", sa.Integer(), nullable=False),
        sa.Column("northing", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(length=9), nullable=False),
        sa.Column("legacy_ward_code", sa.String(length=9), nullable=True),
        sa.Column("ward_code", sa.String(length=9), nullable=True),
        sa.Column("ward_distance_m", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("postcode", name=op.f("pk_postcode")),
    )
    op.create_index(op.f("ix_postcode_outcode"), "postcode", ["outcode"])
    op.create_index(op.f("ix_postcode_ward_code"), "postcode", ["ward_code"])

    op.create_table(
        "borough",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("force_id", sa.String(length=40), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=True),
        sa.Column("display_geojson", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_borough_force_id_force")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_borough")),
    )
    op.create_table(
        "ward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("borough_code", sa.String(length=9), nullable=False),
        sa.Column("force_id", sa.String(length=40), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        sa.Column("display_geojson", sa.Text(), nullable=False),
        sa.Column("centroid_lat", sa.Float(), nullable=False),
        sa.Column("centroid_lng", sa.Float(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"], ["borough.code"], name=op.f("fk_ward_borough_code_borough")
        ),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_ward_force_id_force")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ward")),
        sa.UniqueConstraint("generation", "code", name="uq_ward_generation_code"),
    )
    op.create_index(op.f("ix_ward_borough_code"), "ward", ["borough_code"])
    op.create_index(op.f("ix_ward_code"), "ward", ["code"])
    op.create_index(op.f("ix_ward_generation"), "ward", ["generation"])

    op.create_table(
        "team",
        sa.Column("id", sa.String(length=9), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("borough_code", sa.String(length=9), nullable=False),
        sa.Column("force_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"], ["borough.code"], name=op.f("fk_team_borough_code_borough")
        ),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name=op.f("fk_team_force_id_force")),
        sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_team_ward_id_ward")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("ward_id", name=op.f("uq_team_ward_id")),
    )
    op.create_index(op.f("ix_team_borough_code"), "team", ["borough_code"])


def downgrade() -> None:
    op.drop_table("team")
    op.drop_table("ward")
    op.drop_table("borough")
    op.drop_table("postcode")
    op.drop_table("force")
    op.drop_table("data_load")
