"""Team details: contacts, members, links, locations, front-counter stations, ward neighbours and succession

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:00:21.485234
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("local_authority", sa.String(length=120), nullable=False),
        sa.Column("borough_code", sa.String(length=9), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("opening_2013", sa.String(length=40), nullable=False),
        sa.Column("status_2013", sa.String(length=20), nullable=False),
        sa.Column("proposed_2013", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"], ["borough.code"], name=op.f("fk_station_borough_code_borough")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station")),
        sa.UniqueConstraint("name", name=op.f("uq_station_name")),
    )
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_station_borough_code"), ["borough_code"], unique=False)

    op.create_table(
        "ward_neighbour",
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("neighbour_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["neighbour_id"],
            ["ward.id"],
            name=op.f("fk_ward_neighbour_neighbour_id_ward"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"], ["ward.id"], name=op.f("fk_ward_neighbour_ward_id_ward"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ward_id", "neighbour_id", name=op.f("pk_ward_neighbour")),
    )
    op.create_table(
        "ward_succession",
        sa.Column("old_ward_id", sa.Integer(), nullable=False),
        sa.Column("new_ward_id", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["new_ward_id"], ["ward.id"], name=op.f("fk_ward_succession_new_ward_id_ward"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["old_ward_id"], ["ward.id"], name=op.f("fk_ward_succession_old_ward_id_ward"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("old_ward_id", "new_ward_id", name=op.f("pk_ward_succession")),
    )
    op.create_table(
        "team_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=9), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_link_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_link")),
    )
    with op.batch_alter_table("team_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_link_team_id"), ["team_id"], unique=False)

    op.create_table(
        "team_location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=9), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("opening", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_team_location_station_id_station")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_location_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_location")),
    )
    with op.batch_alter_table("team_location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_location_team_id"), ["team_id"], unique=False)

    op.create_table(
        "team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=9), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rank", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("photo_path", sa.String(length=300), nullable=True),
        sa.Column("photo_consent", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_member_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("telephone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("mobile", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("content_source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("source_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("details_updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("members_updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("contacts_updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("contacts_updated_at")
        batch_op.drop_column("members_updated_at")
        batch_op.drop_column("details_updated_at")
        batch_op.drop_column("source_note")
        batch_op.drop_column("content_source")
        batch_op.drop_column("mobile")
        batch_op.drop_column("telephone")
        batch_op.drop_column("email")
        batch_op.drop_column("description")

    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_team_id"))

    op.drop_table("team_member")
    with op.batch_alter_table("team_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_location_team_id"))

    op.drop_table("team_location")
    with op.batch_alter_table("team_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_link_team_id"))

    op.drop_table("team_link")
    op.drop_table("ward_succession")
    op.drop_table("ward_neighbour")
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_borough_code"))

    op.drop_table("station")
